package dev.groupcache.recipes.hibernate;

/** An application type in a cached entity's state: it needs its own allowlist entry. */
public enum Genre {
  NOVEL,
  SCIENCE_FICTION,
  POETRY
}
