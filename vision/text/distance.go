package text

// OCR-aware edit distance between skeletons. Substituting letters that OCR
// and sellers confuse (c/e, u/v, n/h, …) is cheap; any other edit costs 1.
// Doubling or dropping a letter that is already doubled costs a little
// less than a free edit. The costs are tuned so that one confusion passes
// for a five-letter name while an ordinary English neighbour ("apply" for
// "apple", "hike" for "nike") does not; see [maxCost].

const (
	costConfusable = 0.4
	costDoubled    = 0.6
	costEdit       = 1.0
	costTranspose  = 0.8
)

// confusable pairs in skeleton space (lower case, after leet mapping:
// 0→o, 1/l/|/!→i, 5→s, 8→b, …). Upper-case shapes count too, since OCR
// reads banners in capitals: E/F, P/R, C/G, O/D/Q.
var confusablePairs = []string{
	"ce", "co", "od", "oq", "gq", "uv", "vy", "nh", "it", "ij", "if", "tf", "ef",
	"pr", "hk", "cg",
}

// confusable is a table of confusablePairs over ASCII.
var confusable = func() (t [128][128]bool) {
	for _, p := range confusablePairs {
		t[p[0]][p[1]] = true
		t[p[1]][p[0]] = true
	}
	return t
}()

// multi are two-letter sequences OCR reads as one letter and back:
// rn/m, vv/w, cl/d (cl is ci in skeleton).
var multi = [][3]rune{{'r', 'n', 'm'}, {'v', 'v', 'w'}, {'c', 'i', 'd'}}

func isMulti(x, y, one rune) bool {
	for _, m := range multi {
		if m[0] == x && m[1] == y && m[2] == one {
			return true
		}
	}
	return false
}

func subCost(a, b rune) float64 {
	switch {
	case a == b:
		return 0
	case a < 128 && b < 128 && confusable[a][b]:
		return costConfusable
	}
	return costEdit
}

// indelCost is the cost of inserting or deleting s[i] in s.
func indelCost(s []rune, i int) float64 {
	if (i > 0 && s[i-1] == s[i]) || (i+1 < len(s) && s[i+1] == s[i]) {
		return costDoubled
	}
	return costEdit
}

// editCost returns the OCR-aware distance between text skeleton a and name
// skeleton b, giving up (returning a value > limit) once it exceeds limit.
func editCost(a, b []rune, limit float64) float64 {
	la, lb := len(a), len(b)
	if d := la - lb; float64(max(d, -d))*costConfusable > limit+1e-9 {
		return limit + 1
	}
	prev2 := make([]float64, lb+1)
	prev := make([]float64, lb+1)
	cur := make([]float64, lb+1)
	for j := 1; j <= lb; j++ {
		prev[j] = prev[j-1] + indelCost(b, j-1)
	}
	prevMin := 0.0
	for i := 1; i <= la; i++ {
		cur[0] = prev[0] + indelCost(a, i-1)
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			c := prev[j-1] + subCost(a[i-1], b[j-1])
			if v := prev[j] + indelCost(a, i-1); v < c {
				c = v
			}
			if v := cur[j-1] + indelCost(b, j-1); v < c {
				c = v
			}
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] && a[i-1] != a[i-2] {
				if v := prev2[j-2] + costTranspose; v < c {
					c = v
				}
			}
			// two letters of a read as one of b, or the reverse
			if i > 1 && isMulti(a[i-2], a[i-1], b[j-1]) {
				if v := prev2[j-1] + costConfusable; v < c {
					c = v
				}
			}
			if j > 1 && isMulti(b[j-2], b[j-1], a[i-1]) {
				if v := prev[j-2] + costConfusable; v < c {
					c = v
				}
			}
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		// a two-letter confusion reaches back two rows
		if rowMin > limit+1e-9 && prevMin > limit+1e-9 {
			return limit + 1
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// maxCost is the largest distance accepted for a name whose skeleton has n
// letters: short names must match exactly (their skeleton already absorbs
// leetspeak and l/1/i), five- and six-letter names allow one confusion,
// seven to nine letters one doubled or dropped letter, ten and more one
// free edit.
func maxCost(n int) float64 {
	switch {
	case n <= 4:
		return 0
	case n <= 6:
		return 0.45
	case n <= 9:
		return 0.65
	default:
		return 1.05
	}
}
