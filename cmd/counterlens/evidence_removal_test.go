package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// TestEvidenceVerifyShowsRemovals: a listing that the crawler found removed
// and then present again has both events in its custody log (real Redis);
// its bundle verifies, "evidence verify" prints each of them as a LISTING
// line, and dropping the removal from the log is caught.
func TestEvidenceVerifyShowsRemovals(t *testing.T) {
	ctx := context.Background()
	store := crawlEnv(t)
	sub, err := store.SubmitListing(ctx, models.Listing{Platform: "shopify", ExternalID: "7", SourceID: "src7",
		URL: "https://shop.example/item-7", Title: "bag"})
	if err != nil {
		t.Fatal(err)
	}
	id := sub.Listing.ID
	if _, err := store.AppendCustody(ctx, id, evidence.Event{Type: evidence.EventCaptured, Actor: "worker"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 8, 9, 10, 11, 0, time.UTC)
	if ok, err := store.MarkRemoved(ctx, id, evidence.PresenceEvent("", at, "counterlens crawler test",
		evidence.HowRecheckGone, "src7", "")); !ok || err != nil {
		t.Fatalf("mark removed: %v %v", ok, err)
	}
	if ok, err := store.MarkPresent(ctx, id, evidence.PresenceEvent("", at.Add(time.Hour), "counterlens crawler test",
		evidence.HowInSnapshot, "src7", "")); !ok || err != nil {
		t.Fatalf("mark present: %v %v", ok, err)
	}
	l, err := store.Listing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	custody, err := store.Custody(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	var buf bytes.Buffer
	if err := evidence.WriteBundle(ctx, &buf, evidence.Bundle{Listing: l, Custody: custody, CreatedAt: time.Now()},
		blobs, evidence.NewSigner(key)); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(bundle, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := verify(t, bundle)
	for _, want := range []string{
		"LISTING removed from its platform on 2026-07-08T09:10:11Z by counterlens crawler test (custody event 2): its page answered 404 Not Found or 410 Gone on re-check, source src7, https://shop.example/item-7\n",
		"LISTING present again on its platform on 2026-07-08T10:10:11Z by counterlens crawler test (custody event 3): listed again in the source's full listing, source src7, https://shop.example/item-7\n",
		"3 custody events verified",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("exit %d, want 0 and %q in:\n%s", code, want, out)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.zip")
	rewrite(t, unzip(t, bundle), evidence.CustodyName, dropLine(2), bad)
	if code, out := verify(t, bad); code != 1 || !strings.Contains(out, "FAILED custody event 2 (seq 3, present_again): seq is 3, want 2") {
		t.Fatalf("removal dropped from the log: exit %d\n%s", code, out)
	}
}
