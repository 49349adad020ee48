package fileio

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError is a path that names something other than a regular file. Input is only ever read
// from regular files: opening a named pipe blocks until a writer appears (for ever, and through
// Ctrl-C), and reading a device such as /dev/zero never ends.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file; not read", e.Path, Kind(e.Mode))
}

// TooLargeError is a file over the size limit of what reads it.
type TooLargeError struct {
	Path  string
	Size  int64 // -1 when the file grew past the limit while it was read
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is over the %s limit; not read", e.Path, Size(e.Limit))
	}
	a, b := SizePair(e.Size, e.Limit)
	return fmt.Sprintf("%s is %s, over the %s limit; not read", e.Path, a, b)
}

// Kind names what a file mode describes, for messages.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a regular file"
}

// ReadFile reads a regular file of at most limit bytes. Anything else is refused without blocking:
// the path is checked before it is opened (so a device is never opened), opened without waiting for
// a writer, and checked again on the open descriptor (so a file swapped for a pipe in between is
// still refused). A file that grows past the limit while it is read is refused too. Errors name the
// path as given.
func ReadFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err := readable(path, fi, err, limit); err != nil {
		return nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err := readable(path, fi, err, limit); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + 1)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, &TooLargeError{Path: path, Size: -1, Limit: limit}
	}
	return buf.Bytes(), nil
}

// readable refuses what ReadFile does not read, from what a stat said.
func readable(path string, fi os.FileInfo, err error, limit int64) error {
	switch {
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return &NotRegularError{Path: path, Mode: fi.Mode()}
	case fi.Size() > limit:
		return &TooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	return nil
}

// Size writes a byte count for people: bytes below 1 KiB, else KiB, MiB or GiB with one decimal.
func Size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// SizePair writes two sizes that a message compares ("a is over the b limit"): when rounding would
// make them read the same, both are given in bytes, so the message never says "10.0 MiB is over the
// 10.0 MiB limit".
func SizePair(a, b int64) (string, string) {
	sa, sb := Size(a), Size(b)
	if sa == sb && a != b {
		return fmt.Sprintf("%d bytes", a), fmt.Sprintf("%d-byte", b)
	}
	return sa, sb
}
