//go:build unix

package fileio

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, path, content string) error {
	t.Helper()
	return WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err })
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A failed write leaves the old file as it was and no temporary file behind.
	err := WriteFile(context.Background(), path, func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("old file changed to %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := write(t, path, "new"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q", b)
	}
}

// TestWriteFileDevice: writing to /dev/null must not replace the device with a file.
func TestWriteFileDevice(t *testing.T) {
	before, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip("no /dev/null")
	}
	if err := write(t, os.DevNull, "x"); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(os.DevNull)
	if err != nil || after.Mode() != before.Mode() || after.Mode().IsRegular() {
		t.Fatalf("/dev/null changed: %v -> %v (%v)", before.Mode(), after.Mode(), err)
	}
}

// TestWriteFileDeviceFull: a device that refuses the write is an error, not a quiet success.
func TestWriteFileDeviceFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	if err := write(t, "/dev/full", strings.Repeat("x", 1<<20)); err == nil {
		t.Fatal("writing /dev/full succeeded")
	}
}

// TestWriteFileModes: a new file gets 0666 less the umask, as a shell redirection would create it; a
// file being replaced keeps its own mode.
func TestWriteFileModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.json")
	if err := write(t, fresh, "x"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o640 {
		t.Errorf("new file mode %v, want 0640 under umask 027", fi.Mode().Perm())
	}
	kept := filepath.Join(dir, "kept.json")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o604); err != nil {
		t.Fatal(err)
	}
	if err := write(t, kept, "new"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(kept); fi.Mode().Perm() != 0o604 {
		t.Errorf("replaced file mode %v, want its old 0604", fi.Mode().Perm())
	}
}

// TestWriteFileThroughLink: -o LINK replaces what the link points to and keeps the link, including a
// link that dangles (it names the file to create) and a chain of links.
func TestWriteFileThroughLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	chain := filepath.Join(dir, "chain.json")
	dangling := filepath.Join(dir, "dangling.json")
	for _, l := range [][2]string{{"real.json", link}, {"link.json", chain}, {"sub/new.json", dangling}} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, chain} {
		if err := write(t, p, "via "+filepath.Base(p)); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link", p)
		}
		if b, _ := os.ReadFile(target); string(b) != "via "+filepath.Base(p) {
			t.Errorf("target holds %q after writing %s", b, p)
		}
	}
	if err := write(t, dangling, "created"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "sub", "new.json")); string(b) != "created" {
		t.Errorf("dangling link's target holds %q", b)
	}
}

func TestWriteFileFolder(t *testing.T) {
	if err := write(t, t.TempDir(), "x"); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Fatalf("err = %v", err)
	}
}

// TestWriteFileFIFO: -o FIFO with no reader waits, and the wait ends when the context does; with a
// reader the report arrives through the pipe; a reader that stops reading cannot hang the write.
func TestWriteFileFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := WriteFile(ctx, fifo, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no reader: err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to give up", d)
	}

	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := write(t, fifo, "report"); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "report" {
		t.Errorf("reader got %q", s)
	}

	// A reader that opens the pipe and never reads: the write fills the pipe and blocks until the
	// context ends.
	opened := make(chan *os.File, 1)
	go func() {
		f, _ := os.Open(fifo)
		opened <- f
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	err = WriteFile(ctx2, fifo, func(w io.Writer) error { _, err := io.WriteString(w, strings.Repeat("x", 4<<20)); return err })
	if f := <-opened; f != nil {
		f.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stalled reader: err = %v", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.tf")
	if err := os.WriteFile(ok, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(ok, 3); err != nil || string(b) != "abc" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(ok, 2); !errors.As(err, &tl) || !strings.Contains(err.Error(), "3 bytes, over the 2 bytes limit") {
		t.Errorf("over the limit: %v", err)
	}
	var nr *NotRegularError
	if _, err := ReadFile(dir, 10); !errors.As(err, &nr) || !strings.Contains(err.Error(), "a folder") {
		t.Errorf("folder: %v", err)
	}
	if _, err := ReadFile("/dev/zero", 10); !errors.As(err, &nr) || !strings.Contains(err.Error(), "character device") {
		t.Errorf("/dev/zero: %v", err)
	}
	fifo := filepath.Join(dir, "p.tf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo, 10); done <- err }()
	select {
	case err := <-done:
		if !errors.As(err, &nr) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile blocked on a FIFO")
	}
	link := filepath.Join(dir, "zero.tf")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(link, 10); !errors.As(err, &nr) {
		t.Errorf("link to /dev/zero: %v", err)
	}
}

func TestSizePair(t *testing.T) {
	for _, tt := range []struct {
		a, b         int64
		wantA, wantB string
	}{
		{10<<20 + 1, 10 << 20, "10485761 bytes", "10485760-byte"},
		{12 << 20, 10 << 20, "12.0 MiB", "10.0 MiB"},
		{3, 2, "3 bytes", "2 bytes"},
	} {
		if a, b := SizePair(tt.a, tt.b); a != tt.wantA || b != tt.wantB {
			t.Errorf("SizePair(%d, %d) = %q, %q", tt.a, tt.b, a, b)
		}
	}
}

func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	if !SameFile(a, filepath.Join(dir, ".", "a.json")) {
		t.Error("same new path not recognised")
	}
	if err := os.WriteFile(a, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l := filepath.Join(dir, "l.json")
	if err := os.Symlink("a.json", l); err != nil {
		t.Fatal(err)
	}
	if !SameFile(a, l) {
		t.Error("link to the same file not recognised")
	}
	if SameFile(a, filepath.Join(dir, "b.json")) {
		t.Error("different files reported the same")
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n")
	for _, tt := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {4, 2, 2}, {100, 3, 1}} {
		if l, c := LineCol(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}
