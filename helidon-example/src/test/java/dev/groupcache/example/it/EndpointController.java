package dev.groupcache.example.it;

import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import java.util.ArrayList;
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
  private final Map<String, String> addresses = new LinkedHashMap<>(); // pod -> IP
  private final Map<String, Phase> phases = new LinkedHashMap<>();

  EndpointController(FakeApiServer api, String namespace, int peerPort, int httpPort) {
    this.api = api;
    this.namespace = namespace;
    this.peerPort = peerPort;
    this.httpPort = httpPort;
    publish();
  }

  synchronized void set(String pod, String address, Phase phase) {
    addresses.put(pod, address);
    phases.put(pod, phase);
    publish();
  }

  synchronized void remove(String pod) {
    addresses.remove(pod);
    phases.remove(pod);
    publish();
  }

  /** The addresses a Service sends traffic to: those of the ready endpoints. */
  synchronized List<String> ready() {
    List<String> ready = new ArrayList<>();
    phases.forEach((pod, phase) -> {
      if (phase == Phase.READY) {
        ready.add(addresses.get(pod));
      }
    });
    return ready;
  }

  private void publish() {
    EndpointSliceBuilder slice = EndpointSliceBuilder.endpointSlice(namespace, "quotes-7x2kq")
        .serviceName("quotes")
        .managedByController()
        .addPort("http", httpPort, "TCP")
        .addPort("groupcache", peerPort, "TCP");
    phases.forEach((pod, phase) -> slice.addEndpoint(EndpointSliceBuilder.endpoint(addresses.get(pod))
        .ready(phase == Phase.READY)
        .serving(phase != Phase.STARTING)
        .terminating(phase == Phase.TERMINATING)
        .targetPod(pod)
        .nodeName("node-1")));
    api.upsert(ResourceKind.ENDPOINT_SLICE, slice.build());
  }
}
