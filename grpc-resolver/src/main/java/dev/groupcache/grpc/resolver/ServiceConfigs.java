package dev.groupcache.grpc.resolver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The service configs the resolver hands to channels, as the JSON-shaped maps gRPC parses. */
final class ServiceConfigs {
  private ServiceConfigs() {}

  /** round_robin: every ready endpoint gets calls, where gRPC's own default would pick one. */
  static Map<String, ?> roundRobin() {
    return Map.of("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));
  }

  /** {@code config} with {@code healthCheckConfig.serviceName} set. */
  static Map<String, ?> withHealthCheck(Map<String, ?> config, String serviceName) {
    Map<String, Object> copy = new LinkedHashMap<>(config);
    copy.put("healthCheckConfig", Map.of("serviceName", serviceName));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * {@code config} with pick_first as the policy, for an empty set or an error. round_robin (and
   * every policy built on grpc-java's MultiChildLoadBalancer) treats an empty address list as a
   * resolution error and ignores it while any child is READY: it would keep sending calls to pods
   * that have left the Service. pick_first drops its subchannels on an empty list and fails calls
   * with UNAVAILABLE at once. The method configs (retries, timeouts, wait-for-ready) are kept.
   */
  static Map<String, ?> forNoEndpoints(Map<String, ?> config) {
    Map<String, Object> copy = new LinkedHashMap<>(config);
    copy.remove("loadBalancingPolicy");
    copy.put("loadBalancingConfig", List.of(Map.of("pick_first", Map.of())));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * A deep, unmodifiable copy of a JSON-shaped value, checked: maps with string keys, lists,
   * strings, booleans, numbers (as doubles, which gRPC's parser requires) and nulls.
   */
  static Object copyJson(Object value, String where) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Double) {
      return value;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException("service config: a key in " + where + " is not a string: " + e.getKey());
        }
        copy.put(key, copyJson(e.getValue(), where + "." + key));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        copy.add(copyJson(list.get(i), where + "[" + i + "]"));
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException("service config: " + where + " is a " + value.getClass().getName()
        + "; use maps, lists, strings, numbers and booleans, as parsed JSON");
  }
}
