/**
 * A fake Kubernetes API server for tests, and the conformance tests that keep it honest.
 *
 * <p>{@link dev.groupcache.discovery.fake.FakeApiServer} serves EndpointSlices
 * ({@code discovery.k8s.io/v1}) and Pods ({@code v1}) over real HTTP or HTTPS on 127.0.0.1, with
 * the apiserver's list, get and watch semantics (resourceVersions, selectors, pagination, watch
 * replay and expiry, bookmarks) and fault knobs (cut or ended watches, compaction, injected error
 * statuses, outages, unknown fields, RBAC denial, bearer tokens). Objects are written through its
 * Java API, typically with {@link dev.groupcache.discovery.fake.EndpointSliceBuilder} and
 * {@link dev.groupcache.discovery.fake.PodBuilder}; {@link dev.groupcache.discovery.fake.RecordedRequest}
 * lets a test check what a client sent.
 *
 * <p>The wire facts it copies, and why it exists at all (no real apiserver can run in this build),
 * are in <a href="doc-files/k8s-api-testing.md">{@code doc-files/k8s-api-testing.md}</a>. The
 * {@code *ConformanceTest} classes pin its behaviour on the raw wire and through client-java 27;
 * {@code ClientJavaKnownBugsTest} pins client-java's own bugs (#4160, #3428) against the
 * apiserver's faithful shapes. The class is published in this module's test-jar for the modules
 * that build on discovery.
 */
package dev.groupcache.discovery.fake;
