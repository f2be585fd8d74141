package dev.groupcache.example.it;

import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Kubernetes' endpoint controller does for the {@code quotes} Service, driven by the test in
 * place of the kubelet's probes: a started pod is listed not ready, a pod that passes its readiness
 * probe is ready, a pod being deleted is terminating (not ready, still serving), a stopped pod is
 * gone. Each change is one update of the Service's EndpointSlice in the fake API server.
 */
final class EndpointController {
  enum Phase { STARTING, READY, TERMINATING }

  private final FakeApiServer api;
  private final String namespace;
  private final int peerPort;
  private final int httpPort;
  private record Endpoint(String address, Phase phase) {}

  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>(); // by pod

  EndpointController(FakeApiServer api, String namespace, int peerPort, int httpPort) {
    this.api = api;
    this.namespace = namespace;
    this.peerPort = peerPort;
    this.httpPort = httpPort;
    publish();
  }

  synchronized void set(String pod, String address, Phase phase) {
    endpoints.put(pod, new Endpoint(address, phase));
    publish();
  }

  synchronized void remove(String pod) {
    endpoints.remove(pod);
    publish();
  }

  /** The addresses a Service sends traffic to: those of the ready endpoints. */
  synchronized List<String> ready() {
    return endpoints.values().stream().filter(e -> e.phase() == Phase.READY).map(Endpoint::address).toList();
  }

  private void publish() {
    EndpointSliceBuilder slice = EndpointSliceBuilder.endpointSlice(namespace, "quotes-7x2kq")
        .serviceName("quotes")
        .managedByController()
        .addPort("http", httpPort, "TCP")
        .addPort("groupcache", peerPort, "TCP");
    endpoints.forEach((pod, e) -> slice.addEndpoint(EndpointSliceBuilder.endpoint(e.address())
        .ready(e.phase() == Phase.READY)
        .serving(e.phase() != Phase.STARTING)
        .terminating(e.phase() == Phase.TERMINATING)
        .targetPod(pod)
        .nodeName("node-1")));
    api.upsert(ResourceKind.ENDPOINT_SLICE, slice.build());
  }
}
