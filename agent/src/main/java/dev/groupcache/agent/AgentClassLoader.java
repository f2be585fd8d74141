package dev.groupcache.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The agent's own class loader: loads the provider and every library it uses from the agent jar's
 * {@code inst/} entries, where the application's class loader cannot see them as classes. So an
 * application that bundles its own gRPC, Netty, Guava, protobuf, OkHttp, Kotlin or Gson keeps its
 * versions, and the agent keeps its own.
 *
 * <p>Only the JSR-107 API, the MicroProfile Config API and the agent's bootstrap classes are shared
 * with the application: those come from the parent (the system class loader), so the provider
 * implements the very {@code javax.cache} interfaces the application calls. The JDK's own classes
 * come from the platform loader. Nothing else falls back to the application: a class the agent does
 * not carry is not found, as the library that probes for it expects.
 */
final class AgentClassLoader extends ClassLoader {
  static {
    registerAsParallelCapable();
  }

  private static final String PREFIX = "inst/";

  private final JarFile jar;
  private final String jarUrl;
  private final ProtectionDomain domain;

  AgentClassLoader(Path agentJar, ClassLoader parent) {
    super("groupcache-agent", parent);
    try {
      this.jar = new JarFile(agentJar.toFile(), false);
      URL url = agentJar.toUri().toURL();
      this.jarUrl = url.toString();
      this.domain = new ProtectionDomain(new CodeSource(url, (Certificate[]) null), null, this, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the agent jar " + agentJar, e);
    }
  }

  /** Whether a class or resource is the application's (shared) rather than the agent's own. */
  static boolean shared(String name) {
    return name.startsWith("javax.cache.")
        || name.startsWith("org.eclipse.microprofile.config.")
        || (name.startsWith("dev.groupcache.agent.") && !name.startsWith("dev.groupcache.agent.inside."));
  }

  /** The JDK's packages, which only the platform loader (and the bootstrap behind it) defines. */
  private static boolean jdk(String name) {
    return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
        || name.startsWith("sun.") || name.startsWith("com.sun.") || name.startsWith("org.w3c.")
        || name.startsWith("org.xml.") || name.startsWith("org.ietf.");
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        if (shared(name)) {
          c = getParent().loadClass(name);
        } else if (jdk(name)) {
          c = getPlatformClassLoader().loadClass(name);
        } else {
          c = findClass(name);
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".class");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      String pkg = name.substring(0, dot);
      if (getDefinedPackage(pkg) == null) {
        try {
          definePackage(pkg, null, null, null, null, null, null, null);
        } catch (IllegalArgumentException e) {
          // defined by a racing thread
        }
      }
    }
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  /** The agent's resources only (its own services, native libraries), never the application's. */
  @Override
  public URL getResource(String name) {
    if (shared(name.replace('/', '.'))) {
      return getParent().getResource(name);
    }
    URL url = getPlatformClassLoader().getResource(name);
    return url != null ? url : findResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    URL url = getResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(url));
  }

  @Override
  protected URL findResource(String name) {
    if (jar.getJarEntry(PREFIX + name) == null) {
      return null;
    }
    try {
      return new URL("jar:" + jarUrl + "!/" + PREFIX + name);
    } catch (MalformedURLException e) {
      return null;
    }
  }
}
