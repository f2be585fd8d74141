package dev.groupcache.recipes.spring;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A cached value of an application type: it and its attribute types are what the allowlist names
 * beside the {@code spring} preset. {@code source} says who produced it: a JVM's backend or a put.
 */
public record Price(String sku, BigDecimal amount, String source) implements Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public String toString() {
    return sku + " " + amount.toPlainString() + " " + source;
  }
}
