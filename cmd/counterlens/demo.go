package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"counterlens/cmd/internal/demo"
)

// runDemo serves the demo marketplace; with -seed-api it also registers the
// demo brands, logos and sources with that API, crawls them and prints the
// ranked suspicions.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address of the demo marketplace")
	data := fs.String("data", "testdata/demo", "folder of the demo data")
	seedAPI := fs.String("seed-api", "", "counterlens API to seed with the demo (e.g. http://127.0.0.1:8080)")
	seedKey := fs.String("seed-key", "", "admin key of that API (default $COUNTERLENS_ADMIN_KEY)")
	wait := fs.Duration("wait", 5*time.Minute, "how long to wait for the analyses when seeding")
	top := fs.Int("top", 10, "how many suspicions to print")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *seedKey == "" {
		*seedKey, _, _ = env("ADMIN_KEY")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens demo:", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	m, err := demo.NewMarket(*data, base)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens demo:", err)
		return 1
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "counterlens demo: marketplace at %s\n", base)

	if *seedAPI != "" {
		err := demo.Seed(ctx, demo.SeedConfig{APIURL: *seedAPI, AdminKey: *seedKey, MarketURL: base,
			DataDir: *data, Wait: *wait, Top: *top}, stdout)
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(stderr, "counterlens demo: seeding failed:", err)
		}
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stderr, "counterlens demo:", err)
			return 1
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return 0
}
