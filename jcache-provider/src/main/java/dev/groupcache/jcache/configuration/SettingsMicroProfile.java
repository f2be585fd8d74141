package dev.groupcache.jcache.configuration;

import java.lang.System.Logger.Level;
import java.util.ServiceConfigurationError;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;

/**
 * The application's MicroProfile Config as a {@link SettingsSource}, so its own sources and
 * ordinals apply.
 *
 * <p>This is the only class that names MicroProfile Config types. The API is a {@code provided}
 * dependency and may be missing at run time, so {@link Settings} touches this class only after
 * checking that the API is loadable by the class loader that links it; nothing else may refer to
 * it.
 */
public final class SettingsMicroProfile implements SettingsSource {
  private static final System.Logger LOG = System.getLogger(SettingsMicroProfile.class.getName());

  private final Config config;

  private SettingsMicroProfile(Config config) {
    this.config = config;
  }

  /**
   * The configuration MicroProfile Config holds for {@code loader}, or null if no implementation
   * answers (the API alone is on the class path, or the implementation fails to start).
   */
  static SettingsSource open(ClassLoader loader) {
    try {
      return new SettingsMicroProfile(ConfigProvider.getConfig(loader));
    } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
      LOG.log(Level.DEBUG, "MicroProfile Config API present but no configuration available: {0}",
          e.toString());
      return null;
    }
  }

  @Override
  public Found get(String key) {
    ConfigValue value = config.getConfigValue(key);
    if (value == null || value.getValue() == null) {
      return null;
    }
    String source = value.getSourceName();
    return new Found(value.getValue(),
        source == null ? "MicroProfile Config" : "MicroProfile Config source " + source);
  }

  @Override
  public Iterable<String> names() {
    return config.getPropertyNames();
  }

  @Override
  public String description() {
    return "MicroProfile Config (" + config.getClass().getName() + ")";
  }
}
