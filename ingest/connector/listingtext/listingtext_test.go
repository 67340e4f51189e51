package listingtext

import "testing"

func TestPlainText(t *testing.T) {
	cases := map[string]string{
		`<p>a &amp; b</p><p>c<br>d<br/>e</p>`: "a & b\n\nc\nd\ne",
		`<p>unclosed <b>bold`:                 "unclosed bold",
		`plain`:                               "plain",
		`<script>x</script><p>y</p>`:          "x\n\ny",
		`<p><a href="https://x/tags/a" class="hashtag">#<span>a</span></a></p>`: "#a",
		``: "",
	}
	for in, want := range cases {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindPrice(t *testing.T) {
	cases := []struct {
		text string
		v    float64
		cur  string
	}{
		{"Puffer jackets 45€, all sizes", 45, "EUR"},
		{"only € 19,99 today", 19.99, "EUR"},
		{"EUR 120 or best offer", 120, "EUR"},
		{"$30 a pair", 30, "USD"},
		{"12.50 GBP", 12.5, "GBP"},
		{"sneakers size 42", 0, ""},
		{"WhatsApp +44 7700 900123", 0, ""},
		{"1:1 mirror quality", 0, ""},
	}
	for _, c := range cases {
		v, cur := FindPrice(c.text)
		if v != c.v || cur != c.cur {
			t.Errorf("FindPrice(%q) = %v %q, want %v %q", c.text, v, cur, c.v, c.cur)
		}
	}
}
