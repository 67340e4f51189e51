package logo

import "testing"

// A logo replaced under the same id (PUT /v1/brands/{id}/logos/{logo}) must
// be prepared again, or analyses would go on finding the old mark.
func TestReplacedReferenceIsPreparedAgain(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, []Reference{{LogoID: "l1", BrandID: "b", Image: marks["nike"], Rev: "sha-nike"}})
	first := d.refs.Load().byID["l1"]
	if err := d.SetReferences([]Reference{{LogoID: "l1", BrandID: "b", Image: marks["nike"], Rev: "sha-nike"}}); err != nil {
		t.Fatal(err)
	}
	if d.refs.Load().byID["l1"] != first {
		t.Fatal("an unchanged reference was prepared again")
	}
	if err := d.SetReferences([]Reference{{LogoID: "l1", BrandID: "b", Image: marks["puma"], Rev: "sha-puma"}}); err != nil {
		t.Fatal(err)
	}
	if p := d.refs.Load().byID["l1"]; p == first || p.rev != "sha-puma" {
		t.Fatal("the replaced reference kept its old preparation")
	}
}
