package dev.groupcache.bench;

/** The unit printed after a figure, and how many decimals it gets. */
enum Unit {
  NANOS("ns", 1),
  MICROS("us", 1),
  MILLIS("ms", 1),
  OPS_PER_SECOND("ops/s", 1),
  CALLS("calls", 0),
  MEGABYTES("MB", 1),
  BYTES("bytes", 0),
  FRACTION("ratio", 3),
  TIMES("x", 3);

  private final String symbol;
  private final int decimals;

  Unit(String symbol, int decimals) {
    this.symbol = symbol;
    this.decimals = decimals;
  }

  String symbol() {
    return symbol;
  }

  int decimals() {
    return decimals;
  }
}
