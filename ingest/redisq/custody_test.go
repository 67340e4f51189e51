package redisq

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"counterlens/ingest/evidence"
)

func TestCustodyChainHoldsUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := s.AppendCustody(ctx, "l1", evidence.Event{Type: evidence.EventCaptured,
					Actor: fmt.Sprintf("writer-%d", w), Details: map[string]string{"i": fmt.Sprint(i)}})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.Custody(ctx, "l1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers*each {
		t.Fatalf("%d events, want %d", len(evs), writers*each)
	}
	if p := evidence.VerifyChain(evs); len(p) > 0 {
		t.Fatalf("chain forked or broken: %v", p)
	}
	other, err := s.Custody(ctx, "l2")
	if err != nil || len(other) != 0 {
		t.Fatalf("another listing's chain: %v, %v", other, err)
	}
}

func TestCustodyAppendReturnsTheSealedEvent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a, err := s.AppendCustody(ctx, "l1", evidence.Event{Type: evidence.EventCaptured, Actor: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AppendCustody(ctx, "l1", evidence.Event{Type: evidence.EventAnalysed, Actor: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Seq != 1 || a.Prev != "" || b.Seq != 2 || b.Prev != a.Hash || b.Hash != b.ComputeHash() {
		t.Fatalf("sealed events: %+v then %+v", a, b)
	}
	evs, _ := s.Custody(ctx, "l1")
	if len(evs) != 2 || evs[1].Hash != b.Hash || !evs[0].At.Equal(a.At) {
		t.Fatalf("stored %+v", evs)
	}
}

func TestDeleteEvidenceKeepsSharedBytes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	x, y := evidence.Sum([]byte("x")), evidence.Sum([]byte("y"))
	for _, c := range []struct{ listing, sum string }{{"a", x}, {"b", x}, {"a", y}} {
		if _, err := s.AppendCustody(ctx, c.listing, evidence.Event{Type: evidence.EventCaptured, Actor: "worker",
			Details: map[string]string{"sha256": c.sum}}); err != nil {
			t.Fatal(err)
		}
	}
	ev, removed, err := s.DeleteEvidence(ctx, "a", []string{x, y}, evidence.Event{Actor: "admin",
		Details: map[string]string{evidence.DetailReason: "court order"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != y || ev.Type != evidence.EventDeleted || ev.Seq != 3 ||
		ev.Details[evidence.DetailKept] != x || ev.Details[evidence.DetailRemoved] != y || ev.Details[evidence.DetailReason] != "court order" {
		t.Fatalf("deleted event %+v, removable %v", ev, removed)
	}
	for sum, want := range map[string]bool{x: true, y: false} {
		if ref, err := s.EvidenceReferenced(ctx, sum); err != nil || ref != want {
			t.Errorf("%s referenced: %v, %v; want %v", sum[:8], ref, err, want)
		}
	}
	evs, _ := s.Custody(ctx, "a")
	if p := evidence.VerifyChain(evs); len(p) > 0 || evs[len(evs)-1].Hash != ev.Hash {
		t.Fatalf("chain after deletion: %v", p)
	}
	if _, _, err := s.DeleteEvidence(ctx, "a", []string{"../x"}, evidence.Event{}); err == nil {
		t.Fatal("a bad control number was accepted")
	}
}
