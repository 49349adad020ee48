// Package fileio reads input and writes output files the careful way: input only from regular files
// of bounded size, never blocking on a pipe or a device; output so that a reader never sees half a
// file, with the permissions the user expects, and cancellable where the other end can stall. It also
// reports JSON syntax errors with the line and column a person can open.
package fileio

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

var errNoReader = errors.New("no process is reading it")

// WriteFile writes what fill produces to path.
//
//   - A regular file (or a new one) is written through a temporary file in the same folder and renamed
//     into place, so an interrupted or failed write leaves any previous file untouched. The new file
//     keeps the permission bits of the one it replaces; a new file gets 0666 less the umask, as
//     shell redirection gives.
//   - A symbolic link is followed: its target is replaced and the link stays.
//   - A named pipe or a device (/dev/null, /dev/stdout, a FIFO) is written in place: renaming a file
//     over it would replace the device itself. A pipe with no reader is waited for, and the wait and
//     every write end when ctx does, so a pipe nobody reads never hangs eksguard.
//
// fill's error, a write error, or ctx's error comes back wrapped with the path.
func WriteFile(ctx context.Context, path string, fill func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	target, err := resolveLinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("write %s: it is a folder", path)
	case err == nil && !fi.Mode().IsRegular():
		if err := writeSpecial(ctx, target, fill); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", path, err)
	}
	var keep fs.FileMode // the permissions of the file being replaced, 0 when there is none
	if err == nil {
		keep = fi.Mode().Perm()
	}
	if err := writeAtomic(ctx, target, keep, fill); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// maxLinks bounds how many symbolic links resolveLinks follows, as the kernel does (ELOOP).
const maxLinks = 40

// resolveLinks follows symbolic links at path to what they finally name, which may not exist yet (a
// dangling link names the file a write creates).
func resolveLinks(path string) (string, error) {
	p := path
	for i := 0; i < maxLinks; i++ {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return "", fmt.Errorf("more than %d symbolic links", maxLinks)
}

func writeAtomic(ctx context.Context, path string, keep fs.FileMode, fill func(io.Writer) error) error {
	tmp, mode, err := createTemp(path)
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op after a successful rename
	if keep != 0 {
		mode = keep
	}
	bw := bufio.NewWriterSize(tmp, 256<<10)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = ctx.Err()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmpName, mode); err != nil {
		return err
	}
	return os.Rename(tmpName, path)
}

// createTemp creates a temporary file beside path, readable by its owner only while it is written,
// and returns the mode a new file gets under the process's umask (read off a file created with
// 0666, as the umask cannot be read without changing it).
func createTemp(path string) (*os.File, fs.FileMode, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 100 {
		var r [6]byte
		_, _ = rand.Read(r[:])
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(r[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err == nil {
			err = f.Chmod(0o600)
		}
		if err != nil {
			f.Close()
			os.Remove(name)
			return nil, 0, err
		}
		return f, fi.Mode().Perm(), nil
	}
	return nil, 0, errors.New("cannot create a temporary file beside it")
}

// writeSpecial writes a pipe or a device in place. The open does not block: a pipe with no reader is
// tried again every 50 ms until one appears or ctx ends; once open, ctx's end interrupts a write that
// waits on a full pipe.
func writeSpecial(ctx context.Context, path string, fill func(io.Writer) error) error {
	var f *os.File
	for {
		var err error
		f, err = openWriteNoBlock(path, os.O_WRONLY)
		if err == nil {
			break
		}
		if !errors.Is(err, errNoReader) {
			return err
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for a reader of the named pipe: %w", ctx.Err())
		case <-t.C:
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	bw := bufio.NewWriterSize(f, 256<<10)
	err := fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// OpenAppend opens path for appending one record at a time (an audit log), creating it with mode
// perm when it does not exist. A named pipe is opened without blocking and waited for as WriteFile
// does; writes to it through the returned Appender end when ctx does.
func OpenAppend(ctx context.Context, path string, perm fs.FileMode) (*Appender, error) {
	target, err := resolveLinks(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(target)
	if err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a folder", path)
	}
	if err == nil && !fi.Mode().IsRegular() {
		for {
			f, err := openWriteNoBlock(target, os.O_WRONLY|os.O_APPEND)
			if err == nil {
				return &Appender{f: f, special: true}, nil
			}
			if !errors.Is(err, errNoReader) {
				return nil, err
			}
			t := time.NewTimer(50 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("waiting for a reader of the named pipe %s: %w", path, ctx.Err())
			case <-t.C:
			}
		}
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_APPEND|os.O_CREATE, perm)
	if err != nil {
		return nil, err
	}
	return &Appender{f: f}, nil
}

// Appender appends whole records to an open file.
type Appender struct {
	f       *os.File
	special bool
}

// Append writes b in one write and, for a regular file, syncs it to disk. It gives up when ctx ends
// while a pipe is full.
func (a *Appender) Append(ctx context.Context, b []byte) error {
	if a.special {
		stop := context.AfterFunc(ctx, func() { _ = a.f.SetWriteDeadline(time.Unix(1, 0)) })
		defer stop()
		_, err := a.f.Write(b)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if _, err := a.f.Write(b); err != nil {
		return err
	}
	return a.f.Sync()
}

// Close closes the file.
func (a *Appender) Close() error { return a.f.Close() }

// SameFile reports whether two paths name the same file: the same existing file, or, for files not
// yet there, the same path once links in their folders are resolved.
func SameFile(a, b string) bool {
	ra, erra := resolveLinks(a)
	rb, errb := resolveLinks(b)
	if erra != nil || errb != nil {
		return false
	}
	fa, erra := os.Stat(ra)
	fb, errb := os.Stat(rb)
	if erra == nil && errb == nil {
		return os.SameFile(fa, fb)
	}
	return canonical(ra) == canonical(rb)
}

func canonical(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	dir, base := filepath.Split(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return filepath.Join(dir, base)
}

// DecodeJSONStrict decodes exactly one JSON value into v, refusing unknown fields and trailing data.
// Errors name the file and, for syntax and type errors, the line and column.
func DecodeJSONStrict(name string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return positioned(name, data, err, dec.InputOffset())
	}
	if dec.More() {
		line, col := LineCol(data, dec.InputOffset())
		return fmt.Errorf("%s:%d:%d: unexpected data after the JSON document", name, line, col)
	}
	return nil
}

func positioned(name string, data []byte, err error, fallback int64) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := LineCol(data, se.Offset-1)
		return fmt.Errorf("%s:%d:%d: %s", name, line, col, se.Error())
	case errors.As(err, &te):
		line, col := LineCol(data, te.Offset-1)
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Errorf("%s:%d:%d: %s must be %s, not %s", name, line, col, field, te.Type, te.Value)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s: empty file, expected a JSON document", name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := LineCol(data, int64(len(data)))
		return fmt.Errorf("%s:%d:%d: unexpected end of JSON", name, line, col)
	default:
		line, col := LineCol(data, fallback)
		return fmt.Errorf("%s:%d:%d: %s", name, line, col, err)
	}
}

// LineCol converts a byte offset to a 1-based line and column.
func LineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
