// Command counterlens catches counterfeit offers on marketplaces and social
// platforms from their pictures.
//
//	counterlens serve     the API (analyses POST /v1/analyze in-process)
//	counterlens worker    consumes the listing queue and runs scheduled crawls
//	counterlens crawl     crawls one source in the foreground
//	counterlens demo      a demo marketplace, and optionally seeds the API with it
//	counterlens version   prints the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ensureThreadLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// ensureThreadLimit re-executes the program with OMP_THREAD_LIMIT=1 when it is
// not set: tesseract reads it once, when its library loads, and runs about
// seven times slower on two cores without it. Setting it from Go after start
// is too late.
func ensureThreadLimit() {
	if _, ok := os.LookupEnv("OMP_THREAD_LIMIT"); ok {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	env := append(os.Environ(), "OMP_THREAD_LIMIT=1")
	err = syscall.Exec(exe, os.Args, env)
	fmt.Fprintf(os.Stderr, "counterlens: cannot re-execute with OMP_THREAD_LIMIT=1 (%v); OCR will be slow\n", err)
}

const usage = `usage: counterlens <command> [flags]

commands:
  serve     run the HTTP API
  worker    consume the listing queue and run scheduled crawls
  crawl     crawl one source in the foreground (SOURCE --once: once)
  demo      run the demo marketplace (with -seed, also register it with the API)
  version   print the version

Run "counterlens <command> -h" for the flags of a command. Every flag has a
COUNTERLENS_* environment variable; see README.md.
`

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "worker":
		return runWorker(ctx, args[1:], stdout, stderr)
	case "crawl":
		return runCrawl(ctx, args[1:], stdout, stderr)
	case "evidence":
		return runEvidence(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "counterlens", version)
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "counterlens: unknown command %q\n\n%s", args[0], usage)
	return 2
}
