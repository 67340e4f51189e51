package devset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"testing"

	"counterlens/vision"
)

// analysisKey digests everything the ranking cache's signals depend on, so
// that a cache file is never read for an analysis that would now find
// other signals:
//   - the code: every non-test source and embedded file (the risk lexicon,
//     the product types, the logo null scenes) of the module's packages the
//     analysis and the generator are built from (go list -deps of
//     ingest/pipeline, vision and this package), and go.mod/go.sum (gocv,
//     gosseract and the other libraries' versions). ingest/score is left
//     out: it only weighs the signals, and the benchmark re-scores them.
//   - the settings the engine runs with (cfg, less the worker counts,
//     which change the speed only);
//   - the engines outside Go: tesseract's version and the traineddata of
//     the OCR languages, rsvg-convert's version (it rasterises the marks);
//   - the inputs: every simple-icons icon (the distractors are picked from
//     the whole list), the opencv-doc photos and the fonts.
func analysisKey(benchDir, fontDir string, cfg vision.Config) (string, error) {
	h := sha256.New()
	root, files, err := moduleFiles("counterlens/ingest/score", ".", "counterlens/ingest/pipeline", "counterlens/vision")
	if err != nil {
		return "", err
	}
	cfg.Workers, cfg.OCR.Workers = 0, 0
	settings, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "settings %s\n", settings)
	for _, c := range [][]string{{"tesseract", "--version"}, {"rsvg-convert", "--version"}} {
		out, err := exec.Command(c[0], c[1:]...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s: %w", c[0], err)
		}
		fmt.Fprintf(h, "%s %s\n", c[0], out)
	}
	tessdata, err := tessdataDir(cfg.OCR.TessdataPrefix)
	if err != nil {
		return "", err
	}
	for _, l := range cfg.OCR.Languages {
		files = append(files, filepath.Join(tessdata, l+".traineddata"))
	}
	for _, glob := range []string{"simple-icons/icons/*.svg", "opencv-data/*.jpg", "opencv-data/*.png"} {
		m, _ := filepath.Glob(filepath.Join(benchDir, glob))
		files = append(files, m...)
	}
	for _, f := range BenchFonts {
		files = append(files, filepath.Join(fontDir, f))
	}
	if err := digestFiles(h, []string{root, benchDir, fontDir, tessdata}, files); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// moduleFiles lists the non-test source and embedded files of the module's
// packages that pkgs depend on (themselves included), less the packages
// under skip, sorted, with go.mod and go.sum, and returns the module's root.
func moduleFiles(skip string, pkgs ...string) (string, []string, error) {
	args := append([]string{"list", "-deps", "-json=ImportPath,Dir,Module,GoFiles,CgoFiles,CFiles,HFiles,EmbedFiles"}, pkgs...)
	var stderr bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	var root string
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Dir                               string
			Module                                        *struct{ Path, GoMod string }
			GoFiles, CgoFiles, CFiles, HFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return "", nil, err
		}
		if p.Module == nil || p.Module.Path != "counterlens" || p.ImportPath == skip || strings.HasPrefix(p.ImportPath, skip+"/") {
			continue
		}
		if root == "" {
			root = filepath.Dir(p.Module.GoMod)
			files = append(files, p.Module.GoMod, filepath.Join(root, "go.sum"))
		}
		for _, f := range slices.Concat(p.GoFiles, p.CgoFiles, p.CFiles, p.HFiles, p.EmbedFiles) {
			files = append(files, filepath.Join(p.Dir, f))
		}
	}
	if root == "" {
		return "", nil, fmt.Errorf("go list %v: no package of the module", pkgs)
	}
	slices.Sort(files)
	return root, slices.Compact(files), nil
}

// digestFiles writes each file's name, size and bytes to h, in the order
// given. The name is the path below the first of roots that holds the file
// (else the base name), so the same tree checked out elsewhere (another
// worktree, another bench folder) gives the same digest.
func digestFiles(h hash.Hash, roots, files []string) error {
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		name := filepath.Base(f)
		for _, r := range roots {
			if rel, err := filepath.Rel(r, f); err == nil && !strings.HasPrefix(rel, "..") {
				name = filepath.ToSlash(rel)
				break
			}
		}
		fmt.Fprintf(h, "%s %d\n", name, len(raw))
		h.Write(raw)
	}
	return nil
}

// tessdataDir is where tesseract reads its traineddata: prefix, else
// TESSDATA_PREFIX, else the first Debian tessdata folder that exists.
func tessdataDir(prefix string) (string, error) {
	if prefix != "" {
		return prefix, nil
	}
	if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
		return p, nil
	}
	m, _ := filepath.Glob("/usr/share/tesseract-ocr/*/tessdata")
	if len(m) == 0 {
		return "", fmt.Errorf("no tessdata folder: set TESSDATA_PREFIX")
	}
	return m[len(m)-1], nil
}

func TestModuleFilesCoverTheAnalysisButNotTheWeights(t *testing.T) {
	root, files, err := moduleFiles("counterlens/ingest/score", ".", "counterlens/ingest/pipeline", "counterlens/vision")
	if err != nil {
		t.Fatal(err)
	}
	rel := map[string]bool{}
	for _, f := range files {
		r, err := filepath.Rel(root, f)
		if err != nil {
			t.Fatal(err)
		}
		rel[filepath.ToSlash(r)] = true
		if strings.HasSuffix(f, "_test.go") {
			t.Errorf("test file %s in the key", r)
		}
	}
	for _, want := range []string{"go.mod", "go.sum", "ingest/pipeline/analyze.go", "ingest/policy/producttypes.json",
		"vision/text/lexicon.json", "vision/logo/nullscenes/board.jpg", "internal/synth/synth.go", "cmd/internal/devset/devset.go", "models/models.go"} {
		if !rel[want] {
			t.Errorf("%s is not in the key", want)
		}
	}
	for f := range rel {
		if strings.HasPrefix(f, "ingest/score/") {
			t.Errorf("%s is in the key: re-weighting must not discard the analysis", f)
		}
	}
}

func TestDigestFilesFollowsContentAndNamesNotTheCheckout(t *testing.T) {
	write := func(dir string, files map[string]string) []string {
		var paths []string
		for name, body := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		slices.Sort(paths)
		return paths
	}
	digest := func(root string, files []string) string {
		h := sha256.New()
		if err := digestFiles(h, []string{root}, files); err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	base := map[string]string{"a/x.go": "package a", "b/x.go": "package b"}
	a, b := t.TempDir(), t.TempDir()
	want := digest(a, write(a, base))
	if got := digest(b, write(b, base)); got != want {
		t.Errorf("same files in another checkout: digest %s, want %s", got, want)
	}
	for name, files := range map[string]map[string]string{
		"one byte changed": {"a/x.go": "package A", "b/x.go": "package b"},
		"file moved":       {"a/x.go": "package a", "c/x.go": "package b"},
		"file added":       {"a/x.go": "package a", "b/x.go": "package b", "b/y.json": "{}"},
	} {
		c := t.TempDir()
		if got := digest(c, write(c, files)); got == want {
			t.Errorf("%s: digest unchanged", name)
		}
	}
	if err := digestFiles(sha256.New(), []string{a}, []string{filepath.Join(a, "missing")}); err == nil {
		t.Error("a missing file gave a digest")
	}
}
