package dev.groupcache.discovery.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.LabelSelector.Operator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The selector parser and matcher on their own (the HTTP tests cover them end to end). */
class LabelSelectorTest {
    private static final Map<String, String> PEER = Map.of("app", "peer", "kubernetes.io/service-name", "svc-a", "rank", "7");

    @Test
    void parsesEveryOperator() {
        LabelSelector s = LabelSelector.parse("a=1,b==2,c!=3,d in (x, y),e notin (z),f,!g,h>5,i<9");
        assertEquals(9, s.requirements().size());
        assertEquals(Operator.EQUALS, s.requirements().get(0).operator());
        assertEquals(Operator.EQUALS, s.requirements().get(1).operator());
        assertEquals(Operator.NOT_EQUALS, s.requirements().get(2).operator());
        assertEquals(Operator.IN, s.requirements().get(3).operator());
        assertEquals(Set.of("x", "y"), s.requirements().get(3).values());
        assertEquals(Operator.NOT_IN, s.requirements().get(4).operator());
        assertEquals(Operator.EXISTS, s.requirements().get(5).operator());
        assertEquals(Operator.DOES_NOT_EXIST, s.requirements().get(6).operator());
        assertEquals(Operator.GREATER_THAN, s.requirements().get(7).operator());
        assertEquals(Operator.LESS_THAN, s.requirements().get(8).operator());
    }

    @Test
    void matchesLikeKubernetes() {
        assertTrue(LabelSelector.parse("").matches(PEER));
        assertTrue(LabelSelector.parse("kubernetes.io/service-name=svc-a").matches(PEER));
        assertTrue(LabelSelector.parse("app!=other").matches(PEER));
        assertTrue(LabelSelector.parse("missing!=x").matches(PEER), "!= matches an absent label");
        assertTrue(LabelSelector.parse("missing notin (x)").matches(PEER), "notin matches an absent label");
        assertFalse(LabelSelector.parse("missing in (x)").matches(PEER));
        assertTrue(LabelSelector.parse("rank>6,rank<8").matches(PEER));
        assertFalse(LabelSelector.parse("app>1").matches(PEER), "not a number");
        assertTrue(LabelSelector.parse("app=peer,!missing").matches(PEER));
        assertFalse(LabelSelector.parse("app=peer,missing").matches(PEER));
        assertTrue(LabelSelector.parse("empty=").matches(Map.of("empty", "")), "an empty value");
        assertTrue(LabelSelector.parse("app in (in, notin)").matches(Map.of("app", "in")), "keywords as values");
        assertTrue(LabelSelector.parse("app=in").matches(Map.of("app", "in")));
    }

    @Test
    void rejectsWhatTheApiserverRejects() {
        for (String bad : new String[] {"app in (x", "app in ()", "=x", "x,", ",x", "a b", "a=(b)", "in=x",
            "a/b/c=x", "A.b/c=x", "a=" + "x".repeat(64), "a in x", "a<b", "!a=b", "a!"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("unable to parse requirement: "), e.getMessage());
        }
    }
}
