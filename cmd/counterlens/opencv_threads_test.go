package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestOpenCVThreadsConfig: OpenCV runs its loops on the calling thread
// unless COUNTERLENS_OPENCV_THREADS says otherwise, and a count that is
// not one, or out of bounds, is refused before anything starts.
func TestOpenCVThreadsConfig(t *testing.T) {
	for _, tc := range []struct {
		name, env string
		want      int
		err       string
	}{
		{name: "default", want: 1},
		{name: "opencv default", env: "0", want: 0},
		{name: "two", env: "2", want: 2},
		{name: "negative", env: "-1", err: "COUNTERLENS_OPENCV_THREADS"},
		{name: "too many", env: "100000", err: "COUNTERLENS_OPENCV_THREADS"},
		{name: "not a number", env: "one", err: "COUNTERLENS_OPENCV_THREADS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("COUNTERLENS_OPENCV_THREADS", tc.env)
			}
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c, err := loadConfig(fs, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.OpenCVThreads != tc.want {
				t.Fatalf("OpenCVThreads = %d, want %d", c.OpenCVThreads, tc.want)
			}
		})
	}
}
