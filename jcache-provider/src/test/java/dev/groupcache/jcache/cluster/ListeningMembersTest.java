package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.groupcache.PeerAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What an owner knows of the other members' listeners on one cache, and whom it has not heard. */
class ListeningMembersTest {
  private static final PeerAddress A = PeerAddress.parse("127.0.0.1:2");
  private static final PeerAddress B = PeerAddress.parse("127.0.0.1:3");
  private static final PeerAddress C = PeerAddress.parse("127.0.0.1:4");

  private static Set<PeerAddress> listening(ListeningMembers m) {
    return m.current().stream().map(ListeningMembers.Listener::member).collect(Collectors.toSet());
  }

  @Test
  void everyOtherMemberIsUnheardUntilItSaysWhetherItListens() {
    ListeningMembers m = new ListeningMembers(List.of(A, B));
    assertEquals(List.of(A, B), m.unheard());

    m.heard(A, true, true, 1, 0);
    assertEquals(List.of(B), m.unheard());
    assertEquals(Set.of(A), listening(m));

    m.heard(B, false, false, 1, 0);
    assertEquals(List.of(), m.unheard(), "a member without listeners is heard too");
    assertEquals(Set.of(A), listening(m));
  }

  @Test
  void aStatementOvertakenByALaterOneIsIgnored() {
    ListeningMembers m = new ListeningMembers(List.of(A, B));
    // A's announcement of its new listeners (said at 6) arrives first; its answer to this node's own
    // announcement, read before it registered them (5), arrives after it on the other connection.
    m.heard(A, true, true, 6, 0);
    m.heard(A, false, false, 5, 0);
    assertEquals(Set.of(A), listening(m), "the older statement is ignored");
    assertEquals(List.of(B), m.unheard());

    m.heard(A, false, false, 7, 0);
    assertEquals(Set.of(), listening(m), "a later one is taken");
    m.heard(A, true, false, 7, 0);
    assertEquals(Set.of(A), listening(m), "as is one said at the same count: no change of listeners lies between them");

    m.unhear(A); // it may have restarted: what it says next is taken, whatever its count
    m.heard(A, false, false, 3, 0);
    assertEquals(Set.of(), listening(m));
    assertEquals(List.of(B), m.unheard());
  }

  @Test
  void aMemberThatAnswersAgainAfterSuspicionIsUnheardUntilItSpeaks() {
    ListeningMembers m = new ListeningMembers(List.of(A, B));
    m.heard(A, false, false, 1, 0);
    m.heard(B, true, false, 1, 0);

    m.unhear(A);
    m.unhear(B);
    assertEquals(List.of(A, B), m.unheard());
    assertEquals(Set.of(), listening(m), "what it said before it may have restarted is forgotten");

    m.heard(B, true, true, 1, 1);
    assertEquals(List.of(A), m.unheard());
  }

  @Test
  void aListeningMemberSilentForAMinuteIsUnheardAgain() {
    ListeningMembers m = new ListeningMembers(List.of(A, B));
    m.heard(A, true, false, 1, 0);
    m.heard(B, true, false, 1, ListeningMembers.FORGET_AFTER_NANOS);

    m.forget(ListeningMembers.FORGET_AFTER_NANOS + 1);

    assertEquals(List.of(A), m.unheard());
    assertEquals(Set.of(B), listening(m));
  }

  @Test
  void membersThatJoinTheRingAreUnheardAndThoseThatLeftAreForgotten() {
    ListeningMembers m = new ListeningMembers(List.of(A, B));
    m.heard(A, true, false, 1, 0);
    m.heard(B, false, false, 1, 0);

    m.retain(List.of(B, C));

    assertEquals(List.of(C), m.unheard());
    assertEquals(Set.of(), listening(m), "A left");
  }
}
