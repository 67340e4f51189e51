// Package redistest gives each test a clean database on a real redis-server.
//
// The server is the one named by COUNTERLENS_TEST_REDIS_URL (make test starts
// one on a free port and stops it afterwards). Without it, the package starts
// a private redis-server of its own for the test binary. There is no in-memory
// imitation: a test that needs Redis talks to Redis.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL names the variable holding the test server's base URL.
const EnvURL = "COUNTERLENS_TEST_REDIS_URL"

// databases is how many logical databases the test server is started with;
// make test passes the same number.
const databases = 1024

var (
	once     sync.Once
	baseURL  string
	setupErr error
)

// URL returns the URL of a fresh, empty logical database reserved for t.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { baseURL, setupErr = server() })
	if setupErr != nil {
		t.Fatalf("redistest: %v", setupErr)
	}
	opt, err := redis.ParseURL(baseURL)
	if err != nil {
		t.Fatalf("redistest: bad %s: %v", EnvURL, err)
	}
	ctx := context.Background()
	admin := redis.NewClient(opt)
	defer admin.Close()
	// Database 0 holds the allocation counter; every test gets the next one, so
	// packages tested in parallel never share a database.
	n, err := admin.Incr(ctx, "redistest:next-db").Result()
	if err != nil {
		t.Fatalf("redistest: allocate database: %v", err)
	}
	db := int(n%(databases-1)) + 1
	opt.DB = db
	c := redis.NewClient(opt)
	defer c.Close()
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("redistest: flush database %d: %v", db, err)
	}
	t.Cleanup(func() {
		c := redis.NewClient(opt)
		defer c.Close()
		_ = c.FlushDB(context.Background()).Err()
	})
	return fmt.Sprintf("redis://%s/%d", opt.Addr, db)
}

func server() (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, nil
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("no %s and no redis-server on PATH (make test installs it): %w", EnvURL, err)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--databases", fmt.Sprint(databases),
		"--dir", dir)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start redis-server: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			registerCleanup(cmd, dir)
			return "redis://" + addr + "/0", nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return "", fmt.Errorf("redis-server did not listen on %s", addr)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func registerCleanup(cmd *exec.Cmd, dir string) {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	cleanups = append(cleanups, func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		if strings.HasPrefix(filepath.Base(dir), "redistest-") {
			_ = os.RemoveAll(dir)
		}
	})
}

// Main runs a package's tests and stops a server this package started. Use it
// from TestMain: func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	for _, f := range cleanups {
		f()
	}
	return code
}
