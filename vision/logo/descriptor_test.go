package logo

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// TestDescriptorsStandInForPreparing: a detector loaded only from the
// descriptors another detector made (no images) finds exactly what the
// first one finds, on the flat marks and the textured box alike.
func TestDescriptorsStandInForPreparing(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	refs := append(refsFrom(marks), Reference{LogoID: "box", BrandID: "cereal", Image: loadImage(t, "testdata/box.png")})
	a := newTestDetector(t, refs)
	var fromDesc []Reference
	for _, r := range refs {
		b, ok := a.Descriptor(r.LogoID)
		if !ok {
			t.Fatalf("no descriptor for %s", r.LogoID)
		}
		if err := a.CheckDescriptor(b); err != nil {
			t.Fatalf("%s: %v", r.LogoID, err)
		}
		fromDesc = append(fromDesc, Reference{LogoID: r.LogoID, BrandID: r.BrandID, Descriptor: b})
	}
	if _, ok := a.Descriptor("nope"); ok {
		t.Error("descriptor for an unknown logo")
	}
	b := newTestDetector(t, fromDesc)
	for id, p := range a.refs.Load().byID {
		if q := b.refs.Load().byID[id]; q.nullMax != p.nullMax || q.fineNull != p.fineNull {
			t.Errorf("%s: null levels %.4f, %.4f from the descriptor, %.4f, %.4f prepared", id, q.nullMax, q.fineNull, p.nullMax, p.fineNull)
		}
	}
	if got, want := len(b.refs.Load().textured), len(a.refs.Load().textured); got != want || got != 1 {
		t.Errorf("textured references: %d from descriptors, %d prepared", got, want)
	}
	scenes := []string{"testdata/box_in_scene.png", "testdata/scenes/home.jpg", "testdata/scenes/fruits.jpg"}
	for _, name := range scenes {
		img := loadImage(t, name)
		da, err := a.Detect(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		db, err := b.Detect(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(da, db) {
			t.Errorf("%s: prepared found %+v, from descriptors %+v", name, da, db)
		}
	}
}

// TestStaleDescriptorsFallBack: a descriptor from other settings, or a
// damaged one, is refused and the image is prepared instead; without an
// image the reference is reported, not installed half-read.
func TestStaleDescriptorsFallBack(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	a := newTestDetector(t, []Reference{{LogoID: "nike", BrandID: "nike", Image: marks["nike"]}})
	good, _ := a.Descriptor("nike")
	cfg := DefaultConfig()
	cfg.LevelStep++
	other, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	damaged := map[string][]byte{
		"other settings": good,
		"truncated":      good[:len(good)/2],
		"empty":          {},
		"garbage":        []byte("CLD1 definitely not a descriptor"),
	}
	for name, desc := range damaged {
		t.Run(name, func(t *testing.T) {
			if err := other.CheckDescriptor(desc); !errors.Is(err, ErrStaleDescriptor) {
				t.Errorf("CheckDescriptor = %v, want ErrStaleDescriptor", err)
			}
			if err := other.SetReferences([]Reference{{LogoID: "nike", BrandID: "nike", Descriptor: desc, Image: marks["nike"]}}); err != nil {
				t.Fatalf("with the image to fall back on: %v", err)
			}
			if other.refs.Load().byID["nike"] == nil {
				t.Error("not installed")
			}
			if err := other.SetReferences(nil); err != nil {
				t.Fatal(err)
			}
			if err := other.SetReferences([]Reference{{LogoID: "nike", BrandID: "nike", Descriptor: desc}}); !errors.Is(err, ErrNoMark) {
				t.Errorf("without an image: %v, want ErrNoMark", err)
			}
		})
	}
}
