package dev.groupcache.jcache.management;

import dev.groupcache.jcache.NodeMXBean;
import java.lang.management.ManagementFactory;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;

/**
 * Registers a cache's MXBeans in the platform MBean server, under the names JSR-107 prescribes:
 * {@code javax.cache:type=CacheConfiguration|CacheStatistics,CacheManager=<uri>,Cache=<name>}; and
 * the node's, as {@value #NODE}.
 */
public final class Management {
  public static final String NODE = "dev.groupcache:type=Node";
  private static final ObjectName NODE_NAME = objectName(NODE);

  public enum Type {
    CacheConfiguration,
    CacheStatistics
  }

  private Management() {}

  public static void register(Object bean, String managerUri, String cache, Type type) {
    register(bean, name(managerUri, cache, type));
  }

  public static void unregister(String managerUri, String cache, Type type) {
    unregister(name(managerUri, cache, type));
  }

  /** Registers {@code bean} as a cache's bean of {@code type}, or removes that bean. */
  public static void registered(boolean registered, Object bean, String managerUri, String cache, Type type) {
    if (registered) {
      register(bean, managerUri, cache, type);
    } else {
      unregister(managerUri, cache, type);
    }
  }

  /** Registers this JVM's node as {@value #NODE}, in place of any node registered before. */
  public static void registerNode(NodeMXBean node) {
    unregister(NODE_NAME);
    register(node, NODE_NAME);
  }

  public static void unregisterNode() {
    unregister(NODE_NAME);
  }

  private static void register(Object bean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (!server.isRegistered(name)) {
        server.registerMBean(bean, name);
      }
    } catch (InstanceAlreadyExistsException e) {
      // registered by a racing thread: the same bean
    } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
      throw new CacheException("cannot register " + name + ": " + e.getMessage(), e);
    }
  }

  private static void unregister(ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // unregistered by a racing thread
    } catch (MBeanRegistrationException e) {
      throw new CacheException("cannot unregister " + name + ": " + e.getMessage(), e);
    }
  }

  static ObjectName name(String managerUri, String cache, Type type) {
    return objectName("javax.cache:type=" + type + ",CacheManager=" + safe(managerUri) + ",Cache=" + safe(cache));
  }

  private static ObjectName objectName(String name) {
    try {
      return new ObjectName(name);
    } catch (MalformedObjectNameException e) {
      throw new CacheException("cannot name the MBean " + name, e);
    }
  }

  /** ObjectName values may not hold these characters unquoted. */
  private static String safe(String s) {
    return s == null ? "" : s.replaceAll(":|=|\n|,", ".");
  }
}
