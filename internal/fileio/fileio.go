// Package fileio writes output files so that a reader never sees half of one, and reports JSON
// syntax errors with the line and column a person can open.
package fileio

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteAtomic writes data produced by fill to path through a temporary file in the same folder and
// renames it into place, so an interrupted or failed write leaves any previous file untouched. Paths
// that are not regular files (devices, pipes) are written in place.
func WriteAtomic(path string, fill func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		// A device, pipe or socket (/dev/null, /dev/stdout, a FIFO) is written in place: renaming a
		// file over it would replace the device itself.
		return writeInPlace(path, fill)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op after a successful rename
	bw := bufio.NewWriterSize(tmp, 256<<10)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeInPlace(path string, fill func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
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
