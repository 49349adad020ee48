// Package iostreams carries the program's standard streams and terminal facts, so that every command
// can run in-process in tests with buffers in place of the terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY, errTTY, inTTY bool
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
}

// System returns the process's real streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		outTTY: isTerminal(os.Stdout), errTTY: isTerminal(os.Stderr), inTTY: isTerminal(os.Stdin),
		Getenv: os.Getenv,
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams backed by buffers, none of them a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, Getenv: func(string) string { return "" }}, in, out, errOut
}

// SetTerminal marks the streams as terminals (tests).
func (s *IOStreams) SetTerminal(in, out, errOut bool) { s.inTTY, s.outTTY, s.errTTY = in, out, errOut }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// ColorEnabled reports whether colour may be written to standard output: only on a terminal, and
// never when NO_COLOR is set (https://no-color.org) or TERM is dumb.
func (s *IOStreams) ColorEnabled() bool {
	return s.outTTY && s.env("NO_COLOR") == "" && s.env("TERM") != "dumb"
}

// ColorEnabledStderr is ColorEnabled for standard error.
func (s *IOStreams) ColorEnabledStderr() bool {
	return s.errTTY && s.env("NO_COLOR") == "" && s.env("TERM") != "dumb"
}

func (s *IOStreams) env(k string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(k)
}
