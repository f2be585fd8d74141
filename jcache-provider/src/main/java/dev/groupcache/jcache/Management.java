package dev.groupcache.jcache;

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
 * {@code javax.cache:type=CacheConfiguration|CacheStatistics,CacheManager=<uri>,Cache=<name>}.
 */
final class Management {
  enum Type {
    CacheConfiguration,
    CacheStatistics
  }

  private Management() {}

  static void register(Object bean, String managerUri, String cache, Type type) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = name(managerUri, cache, type);
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

  static void unregister(String managerUri, String cache, Type type) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = name(managerUri, cache, type);
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

  static final String NODE = "dev.groupcache:type=Node";

  /** Registers this JVM's node as {@value #NODE}. */
  static void registerNode(NodeMXBean node) {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(NODE);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(node, name);
    } catch (Exception e) {
      throw new CacheException("cannot register " + NODE + ": " + e.getMessage(), e);
    }
  }

  static void unregisterNode() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(NODE);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (Exception e) {
      // shutting down: nothing to do about it
    }
  }

  static ObjectName name(String managerUri, String cache, Type type) {
    try {
      return new ObjectName("javax.cache:type=" + type + ",CacheManager=" + safe(managerUri) + ",Cache=" + safe(cache));
    } catch (MalformedObjectNameException e) {
      throw new CacheException("cannot name the MBean of cache " + cache, e);
    }
  }

  /** ObjectName values may not hold these characters unquoted. */
  private static String safe(String s) {
    return s == null ? "" : s.replaceAll(":|=|\n|,", ".");
  }
}
