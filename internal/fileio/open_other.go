//go:build !unix

package fileio

import "os"

// openNoBlock opens a file for reading. Systems without Unix named pipes have nothing that blocks an
// open for reading.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

func openWriteNoBlock(path string, flag int) (*os.File, error) { return os.OpenFile(path, flag, 0) }
