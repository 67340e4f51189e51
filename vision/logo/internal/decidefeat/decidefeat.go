// Package decidefeat names the features of the logo detector's learned
// decision, in the model's order: vision/logo reads and dumps them in this
// order (its fFit... constants) and vision/logo/decidefit fits and writes
// its weights by these names, so the two cannot disagree.
package decidefeat

// Names are the features in the model's order.
var Names = []string{"fit", "margin", "logL", "radial", "edgeLow", "edgeHigh",
	"gapRead", "gap", "crowd", "repeated", "figure",
	"fineRead", "fine", "fineMargin", "fineOverNull",
	"innerRead", "inner", "innerMargin", "greyRead", "greyInner", "greyMargin"}
