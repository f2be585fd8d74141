package dev.groupcache.discovery.fake;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A label selector in the apiserver's string syntax (k8s.io/apimachinery {@code labels.Parse}):
 * comma-joined requirements, each one of {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key in (v1,v2)}, {@code key notin (v1,v2)}, {@code key} (exists), {@code !key} (does not
 * exist), {@code key>n} and {@code key<n} (integer comparison). Keys must be qualified names and
 * values valid label values, as the apiserver requires. Negative operators ({@code !=},
 * {@code notin}) also match objects that lack the label, as in Kubernetes.
 */
final class LabelSelector {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    enum Operator { EXISTS, DOES_NOT_EXIST, EQUALS, NOT_EQUALS, IN, NOT_IN, GREATER_THAN, LESS_THAN }

    record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            switch (operator) {
                case EXISTS:
                    return labels.containsKey(key);
                case DOES_NOT_EXIST:
                    return !labels.containsKey(key);
                case EQUALS:
                case IN:
                    return value != null && values.contains(value);
                case NOT_EQUALS:
                case NOT_IN:
                    return value == null || !values.contains(value);
                case GREATER_THAN:
                case LESS_THAN:
                    if (value == null) {
                        return false;
                    }
                    long actual;
                    try {
                        actual = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        return false;
                    }
                    long bound = Long.parseLong(values.iterator().next());
                    return operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
                default:
                    throw new AssertionError(operator);
            }
        }
    }

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /** The selector that matches every object (an absent or empty {@code labelSelector}). */
    static LabelSelector everything() {
        return EVERYTHING;
    }

    List<Requirement> requirements() {
        return requirements;
    }

    boolean isEverything() {
        return requirements.isEmpty();
    }

    boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a selector string (already percent-decoded).
     *
     * @throws IllegalArgumentException with a message in the apiserver's style if it is malformed
     */
    static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        return new LabelSelector(new Parser(selector).parse());
    }

    @Override
    public String toString() {
        return requirements.toString();
    }

    // ---------------------------------------------------------------------------------------------

    private enum TokenType { IDENTIFIER, IN, NOT_IN, BANG, NOT_EQUALS, EQUALS, DOUBLE_EQUALS, OPEN, CLOSE, COMMA, GT, LT, END }

    private record Token(TokenType type, String text) {}

    private static final class Parser {
        private final List<Token> tokens = new ArrayList<>();
        private int position;

        Parser(String input) {
            lex(input);
        }

        private void lex(String s) {
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '!') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '=') {
                        tokens.add(new Token(TokenType.NOT_EQUALS, "!="));
                        i += 2;
                    } else {
                        tokens.add(new Token(TokenType.BANG, "!"));
                        i++;
                    }
                } else if (c == '=') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '=') {
                        tokens.add(new Token(TokenType.DOUBLE_EQUALS, "=="));
                        i += 2;
                    } else {
                        tokens.add(new Token(TokenType.EQUALS, "="));
                        i++;
                    }
                } else if (c == '(') {
                    tokens.add(new Token(TokenType.OPEN, "("));
                    i++;
                } else if (c == ')') {
                    tokens.add(new Token(TokenType.CLOSE, ")"));
                    i++;
                } else if (c == ',') {
                    tokens.add(new Token(TokenType.COMMA, ","));
                    i++;
                } else if (c == '>') {
                    tokens.add(new Token(TokenType.GT, ">"));
                    i++;
                } else if (c == '<') {
                    tokens.add(new Token(TokenType.LT, "<"));
                    i++;
                } else {
                    int start = i;
                    while (i < s.length() && !isSpecial(s.charAt(i))) {
                        i++;
                    }
                    String word = s.substring(start, i);
                    TokenType type = word.equals("in") ? TokenType.IN
                            : word.equals("notin") ? TokenType.NOT_IN : TokenType.IDENTIFIER;
                    tokens.add(new Token(type, word));
                }
            }
            tokens.add(new Token(TokenType.END, ""));
        }

        private static boolean isSpecial(char c) {
            return Character.isWhitespace(c) || "!=(),<>".indexOf(c) >= 0;
        }

        private Token peek() {
            return tokens.get(position);
        }

        private Token next() {
            Token t = tokens.get(position);
            if (t.type() != TokenType.END) {
                position++;
            }
            return t;
        }

        List<Requirement> parse() {
            List<Requirement> result = new ArrayList<>();
            while (true) {
                result.add(requirement());
                Token t = next();
                if (t.type() == TokenType.END) {
                    return result;
                }
                if (t.type() != TokenType.COMMA) {
                    throw fail("found '" + t.text() + "', expected: ',' or 'end of string'");
                }
                if (peek().type() == TokenType.END) {
                    throw fail("found '', expected: identifier after ','");
                }
            }
        }

        private Requirement requirement() {
            Token t = next();
            if (t.type() == TokenType.BANG) {
                Token key = next();
                if (key.type() != TokenType.IDENTIFIER) {
                    throw fail("found '" + key.text() + "', expected: identifier after '!'");
                }
                return build(key.text(), Operator.DOES_NOT_EXIST, Set.of());
            }
            if (t.type() != TokenType.IDENTIFIER) {
                throw fail("found '" + t.text() + "', expected: !, identifier, or 'end of string'");
            }
            String key = t.text();
            Token op = peek();
            if (op.type() == TokenType.END || op.type() == TokenType.COMMA) {
                return build(key, Operator.EXISTS, Set.of());
            }
            next();
            switch (op.type()) {
                case EQUALS:
                case DOUBLE_EQUALS:
                    return build(key, Operator.EQUALS, Set.of(exactValue()));
                case NOT_EQUALS:
                    return build(key, Operator.NOT_EQUALS, Set.of(exactValue()));
                case GT:
                    return build(key, Operator.GREATER_THAN, Set.of(exactValue()));
                case LT:
                    return build(key, Operator.LESS_THAN, Set.of(exactValue()));
                case IN:
                    return build(key, Operator.IN, valueSet());
                case NOT_IN:
                    return build(key, Operator.NOT_IN, valueSet());
                default:
                    throw fail("found '" + op.text() + "', expected: in, notin, =, ==, !=, gt, lt");
            }
        }

        /** A single value after {@code =}, {@code ==} or {@code !=}; nothing before ',' or the end means "". */
        private String exactValue() {
            Token t = peek();
            if (t.type() == TokenType.END || t.type() == TokenType.COMMA) {
                return "";
            }
            next();
            if (t.type() == TokenType.IDENTIFIER || t.type() == TokenType.IN || t.type() == TokenType.NOT_IN) {
                return t.text();
            }
            throw fail("found '" + t.text() + "', expected: identifier");
        }

        private Set<String> valueSet() {
            Token open = next();
            if (open.type() != TokenType.OPEN) {
                throw fail("found '" + open.text() + "', expected: '('");
            }
            Set<String> values = new LinkedHashSet<>();
            if (peek().type() == TokenType.CLOSE) {
                next();
                return values;
            }
            boolean expectValue = true;
            while (true) {
                Token t = next();
                switch (t.type()) {
                    case IDENTIFIER:
                    case IN:
                    case NOT_IN:
                        if (!expectValue) {
                            throw fail("found '" + t.text() + "', expected: ',' or ')'");
                        }
                        values.add(t.text());
                        expectValue = false;
                        break;
                    case COMMA:
                        if (expectValue) {
                            values.add("");
                        }
                        expectValue = true;
                        break;
                    case CLOSE:
                        if (expectValue) {
                            values.add("");
                        }
                        return values;
                    default:
                        throw fail("found '" + t.text() + "', expected: ',', ')' or identifier");
                }
            }
        }

        private static Requirement build(String key, Operator operator, Set<String> values) {
            String keyError = validateKey(key);
            if (keyError != null) {
                throw fail("key: Invalid value: \"" + key + "\": " + keyError);
            }
            if ((operator == Operator.IN || operator == Operator.NOT_IN) && values.isEmpty()) {
                throw fail("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
            }
            for (String v : values) {
                if (operator == Operator.GREATER_THAN || operator == Operator.LESS_THAN) {
                    try {
                        Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw fail("values[0]: Invalid value: \"" + v + "\": for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                } else if (!v.isEmpty() && (v.length() > 63 || !NAME.matcher(v).matches())) {
                    throw fail("values: Invalid value: \"" + v + "\": a valid label must be an empty string or consist of"
                            + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric"
                            + " character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is"
                            + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
                }
            }
            return new Requirement(key, operator, Set.copyOf(values));
        }

        /** The qualified-name rule of Kubernetes label keys; {@code null} if valid. */
        private static String validateKey(String key) {
            String name = key;
            int slash = key.indexOf('/');
            if (slash >= 0) {
                String prefix = key.substring(0, slash);
                name = key.substring(slash + 1);
                if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                    return "prefix part must be a lowercase RFC 1123 subdomain";
                }
            }
            if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
                return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end"
                        + " with an alphanumeric character";
            }
            return null;
        }

        private static IllegalArgumentException fail(String detail) {
            return new IllegalArgumentException("unable to parse requirement: " + detail);
        }
    }
}
