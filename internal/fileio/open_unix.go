//go:build unix

package fileio

import (
	"os"
	"syscall"
)

// openNoBlock opens a file for reading without waiting: a named pipe with no writer would otherwise
// block the open itself, where neither a deadline nor a signal reaches it.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// openWriteNoBlock opens a special file (a named pipe, a device) for writing without waiting for a
// reader. On a pipe with no reader it fails at once with errNoReader, so the caller can wait for one
// in a way that honours cancellation.
func openWriteNoBlock(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NONBLOCK, 0)
	if pe, ok := err.(*os.PathError); ok && pe.Err == syscall.ENXIO {
		return nil, errNoReader
	}
	return f, err
}
