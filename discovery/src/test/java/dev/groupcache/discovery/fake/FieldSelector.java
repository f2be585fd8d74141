package dev.groupcache.discovery.fake;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A field selector ({@code fieldSelector=metadata.name=x,metadata.namespace!=y}) as the apiserver
 * parses it (k8s.io/apimachinery {@code fields.ParseSelector}): comma-joined {@code =}, {@code ==}
 * or {@code !=} terms, with {@code \,}, {@code \=} and {@code \\} escapes. Supported fields: for
 * every kind {@code metadata.name} and {@code metadata.namespace}; for Pods also {@code spec.nodeName}
 * and {@code status.phase}, {@code status.podIP}. Any other field is rejected, as the apiserver
 * rejects fields a resource does not index.
 */
final class FieldSelector {
    private static final Set<String> COMMON = Set.of("metadata.name", "metadata.namespace");
    private static final Set<String> POD_ONLY = Set.of("spec.nodeName", "status.phase", "status.podIP");

    private record Term(String field, boolean equals, String value) {}

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    boolean isEverything() {
        return terms.isEmpty();
    }

    /** @throws IllegalArgumentException if malformed or a field is not supported for {@code kind} */
    static FieldSelector parse(String selector, ResourceKind kind) {
        List<Term> terms = new ArrayList<>();
        if (selector == null || selector.isEmpty()) {
            return new FieldSelector(terms);
        }
        for (String part : splitUnescaped(selector, ',')) {
            if (part.isEmpty()) {
                continue;
            }
            int op = indexOfUnescaped(part, '=');
            if (op < 0) {
                throw new IllegalArgumentException("invalid selector: '" + selector + "'; can't understand '" + part + "'");
            }
            boolean equals = true;
            int valueStart = op + 1;
            int fieldEnd = op;
            if (op > 0 && part.charAt(op - 1) == '!') {
                equals = false;
                fieldEnd = op - 1;
            } else if (valueStart < part.length() && part.charAt(valueStart) == '=') {
                valueStart++;
            }
            String field = unescape(part.substring(0, fieldEnd).trim());
            String value = unescape(part.substring(valueStart));
            if (!COMMON.contains(field) && !(kind == ResourceKind.POD && POD_ONLY.contains(field))) {
                throw new IllegalArgumentException("field label not supported: " + field);
            }
            terms.add(new Term(field, equals, value));
        }
        return new FieldSelector(terms);
    }

    boolean matches(JsonObject object) {
        for (Term t : terms) {
            String actual = valueOf(object, t.field());
            if (t.equals() != t.value().equals(actual)) {
                return false;
            }
        }
        return true;
    }

    private static String valueOf(JsonObject object, String field) {
        JsonElement current = object;
        for (String part : field.split("\\.")) {
            if (current == null || !current.isJsonObject()) {
                return "";
            }
            current = current.getAsJsonObject().get(part);
        }
        return current == null || current.isJsonNull() ? "" : current.getAsString();
    }

    private static List<String> splitUnescaped(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                current.append(c).append(s.charAt(++i));
            } else if (c == separator) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static int indexOfUnescaped(String s, char wanted) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                out.append(s.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
