package dev.groupcache.discovery;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A source fed by a {@link ListWatch} of one kind of object: keeps the copy, recomputes the set on
 * every change, and turns a 403 into one clear line naming the identity, the namespace and the
 * Role rule that is missing.
 */
abstract class KubernetesSource<T> extends PublishingSource implements ListWatch.Handler<T> {
  private static final System.Logger LOG = System.getLogger(PeerSource.class.getName());
  private static final Pattern USER = Pattern.compile("User \"([^\"]+)\"");

  private final KubernetesAccess access;
  private final String namespace;
  private final String resource;
  private final String apiGroup;
  private final ListWatch<T> listWatch;
  /** The copy, by object name; touched only by the list-watch thread. */
  private final Map<String, T> objects = new TreeMap<>();
  private boolean reportedForbidden;

  KubernetesSource(String description, KubernetesAccess access, String namespace, String apiGroup,
      String resource, String path, String labelSelector, Duration debounce) {
    super(description, debounce);
    this.access = access;
    this.namespace = namespace;
    this.apiGroup = apiGroup;
    this.resource = resource;
    this.listWatch = new ListWatch<>(description, access.client(), path, labelSelector, this, events,
        watchRestarts, relists);
  }

  /** The set the objects describe now. */
  abstract PeerSet compute(Map<String, T> objects);

  @Override
  final void begin() {
    listWatch.start();
  }

  @Override
  final void end() {
    listWatch.close();
  }

  @Override
  public final void replaceAll(Map<String, T> all) {
    objects.clear();
    objects.putAll(all);
    offer(compute(objects));
    if (reportedForbidden) { // the one line that ends the forbidden one: the rule was granted
      reportedForbidden = false;
      LOG.log(Level.INFO, "groupcache discovery may list and watch {0} in namespace ''{1}'' again; it is ready",
          resource, namespace);
    }
    synced();
  }

  @Override
  public final void upsert(String name, T object) {
    objects.put(name, object);
    offer(compute(objects));
  }

  @Override
  public final void delete(String name) {
    if (objects.remove(name) != null) {
      offer(compute(objects));
    }
  }

  @Override
  public final void failed(String problem, boolean forbidden) {
    markFailed(problem, forbidden);
    if (forbidden && !reportedForbidden) {
      reportedForbidden = true;
      Matcher user = USER.matcher(problem);
      LOG.log(Level.ERROR, "groupcache discovery is forbidden to list and watch {0} in namespace ''{1}'' as {2}; "
          + "it needs a Role with the rule '{'apiGroups: [\"{3}\"], resources: [\"{0}\"], verbs: [\"get\", \"list\", "
          + "\"watch\"]'}' bound to that identity (see manifests/rbac/). This node runs not ready, with no peers "
          + "from discovery, and keeps retrying.",
          resource, namespace, user.find() ? user.group(1) : access.identity(), apiGroup);
    }
  }
}
