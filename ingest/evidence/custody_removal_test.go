package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"counterlens/models"
)

// TestRemovalEventsAreChainedShownAndProtected: a listing found removed,
// present again and removed again keeps its bundle verifiable; Verify
// describes each of these events (who, when, how), and changing how a
// removal was found is caught and named.
func TestRemovalEventsAreChainedShownAndProtected(t *testing.T) {
	blobs, err := NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img := []byte("\xff\xd8\xff\xe0 removal test")
	sum, err := blobs.Put(img)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	l := models.Listing{ID: "l1", URL: "https://shop.example/item-3", RemovedAt: at.Add(3 * time.Hour),
		Evidence: []models.Evidence{{SHA256: sum, URL: "https://shop.example/3.jpg", CapturedAt: at, HTTPStatus: 200,
			ContentType: "image/jpeg", Size: int64(len(img))}}}
	custody := chained(
		Event{Type: EventCaptured, At: at, Actor: "worker", Details: map[string]string{"sha256": sum}},
		PresenceEvent(EventRemoved, at.Add(time.Hour), "counterlens crawler 1.0", HowMissingFromSnapshot, "src1", l.URL),
		PresenceEvent(EventPresentAgain, at.Add(2*time.Hour), "counterlens crawler 1.0", HowInSnapshot, "src1", ""),
		PresenceEvent(EventRemoved, at.Add(3*time.Hour), "counterlens crawler 1.0", HowRecheckGone, "src1", l.URL),
	)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := NewSigner(key)
	var buf bytes.Buffer
	if err := WriteBundle(context.Background(), &buf, Bundle{Listing: l, Custody: custody, CreatedAt: at.Add(4 * time.Hour)}, blobs, signer); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	rep := Verify(bytes.NewReader(data), int64(len(data)), signer.PublicKey())
	if !rep.OK() || rep.Events != 4 || len(rep.Deleted) != 0 {
		t.Fatalf("bundle of a removed listing: %+v", rep)
	}
	want := []string{
		"removed from its platform on 2026-03-04T06:06:07Z by counterlens crawler 1.0 (custody event 2): missing from the source's full listing, source src1, https://shop.example/item-3",
		"present again on its platform on 2026-03-04T07:06:07Z by counterlens crawler 1.0 (custody event 3): listed again in the source's full listing, source src1",
		"removed from its platform on 2026-03-04T08:06:07Z by counterlens crawler 1.0 (custody event 4): its page answered 404 Not Found or 410 Gone on re-check, source src1, https://shop.example/item-3",
	}
	if got := strings.Join(rep.Presence, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("presence:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	files := map[string][]byte{}
	rezip(t, data, func(n string, b []byte) []byte { files[n] = b; return b })
	if !bytes.Contains(files[ReadmeName], []byte(`"removed" says when and how`)) {
		t.Error("README.txt does not explain the removed event")
	}

	// A forger turns the 404 re-check into a snapshot removal.
	bad := rezip(t, data, func(n string, b []byte) []byte {
		if n == CustodyName {
			return bytes.Replace(b, []byte(HowRecheckGone), []byte(HowMissingFromSnapshot), 1)
		}
		return b
	})
	rep = Verify(bytes.NewReader(bad), int64(len(bad)), nil)
	problems := strings.Join(rep.Problems, "\n")
	for _, w := range []string{"custody.jsonl: size is", "custody event 4 (seq 4, removed): content does not match its hash (altered)"} {
		if !strings.Contains(problems, w) {
			t.Errorf("tampered removal: no problem naming %q in\n%s", w, problems)
		}
	}
}

// chained returns events as a custody chain, in order.
func chained(events ...Event) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		out = appendChained(out, e)
	}
	return out
}

// appendChained appends e to custody, chained to its last event.
func appendChained(custody []Event, e Event) []Event {
	var prev *Event
	if len(custody) > 0 {
		prev = &custody[len(custody)-1]
	}
	return append(custody, Chain(prev, e))
}
