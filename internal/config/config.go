// Package config gives every flag of every command two more sources besides the command line: the
// environment (EKSGUARD_<FLAG>) and a YAML file (.eksguard.yaml in the current folder, or the file
// --config names). A flag given on the command line wins; else its environment variable; else the
// file, where a command's own section wins over the top level; else the flag's default.
//
// Nothing here knows the commands' flags: every value goes through the flag's own Set, as if typed
// on the command line, so each flag is validated in one place and a flag added tomorrow is
// configurable without a line here. The few flags that must never come from a file or the
// environment (fix's --apply and its guard overrides) are refused with a message that says why.
// docs/config.md is the user's description.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/escape"
)

const (
	// FileName is the config file read from the current folder when neither --config nor
	// EKSGUARD_CONFIG names one. Parent folders are not searched: a file above the folder a command
	// runs in is too easy to forget, and it might not be the user's.
	FileName = ".eksguard.yaml"
	// FlagName is the root's flag naming the config file.
	FlagName = "config"
	// EnvPrefix starts the environment variable of every flag.
	EnvPrefix = "EKSGUARD_"
	// EnvConfig names the config file when --config is not given.
	EnvConfig = EnvPrefix + "CONFIG"
	// MaxFileSize bounds the config file; a real one is a few hundred bytes.
	MaxFileSize = 1 << 20
)

// Flag annotations a command can put on a flag (pflag.Flag.Annotations) to keep it out of the file,
// or out of the file and the environment. The annotation's first value says why, for the message.
const (
	AnnotationCommandLineOnly = "eksguard.config/command-line-only"
	AnnotationNotInFile       = "eksguard.config/not-in-file"
)

// AddFlag registers --config on fs, the root's persistent flags.
func AddFlag(fs *pflag.FlagSet) {
	fs.String(FlagName, "", "read settings from this YAML file instead of ./"+FileName+" ("+os.DevNull+": read none); also "+EnvConfig)
}

// Source is what Apply reads besides the command line.
type Source struct {
	// Getenv reads the environment; nil reads none.
	Getenv func(string) string
	// Dir is the folder FileName is looked for in; empty is the process's working directory.
	Dir string
	// Notes receives one line naming the settings that came from the file or the environment; nil
	// writes none.
	Notes io.Writer
}

// Setting is one flag that got its value from outside the command line.
type Setting struct {
	Flag string
	// Origin is the environment variable, or the file and line (".eksguard.yaml:3").
	Origin string
}

// Apply sets every flag of cmd that the command line left alone from the environment or the config
// file, and makes the errors cmd then returns name where a flag mentioned in them got its value.
// Call it after the flags are parsed and before the command runs (a PersistentPreRunE of the root).
// Its errors are usage errors of cmd.
func Apply(cmd *cobra.Command, src Source) ([]Setting, error) {
	if cmd.Hidden {
		return nil, nil
	}
	t := newTree(cmd.Root(), cmd)
	cur := t.commands[cmdutil.CommandPath(cmd)]
	if cur == nil || !cur.configurable() {
		// The root, version, help: nothing to set, and a broken file must not stop them.
		return nil, nil
	}
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var f *file
	loc, err := locate(cmd, getenv, src.Dir)
	if err != nil {
		return nil, cmdutil.Usage(cmd, err)
	}
	if loc.misnamed && src.Notes != nil {
		fmt.Fprintf(src.Notes, "eksguard: %s is not read; name it %s\n", misnamed, FileName)
	}
	if loc.path != "" {
		var errs []error
		f, errs = load(loc, t)
		if len(errs) > 0 {
			return nil, cmdutil.Usage(cmd, join(errs))
		}
	}
	settings, errs := apply(cmd, cur, f, getenv)
	if len(errs) > 0 {
		return nil, cmdutil.Usage(cmd, join(errs))
	}
	if len(settings) > 0 {
		explainErrors(cmd, settings)
		if src.Notes != nil {
			note(src.Notes, settings)
		}
	}
	return settings, nil
}

// EnvName is the environment variable of a flag: EKSGUARD_ and its long name in capitals, dashes
// as underscores (--skip-controls: EKSGUARD_SKIP_CONTROLS).
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// location is the config file to read: path is where it is, name how messages call it.
type location struct {
	path, name string
	// origin is what named it: "--config", EKSGUARD_CONFIG, or "" when it was found in the folder.
	origin string
	// misnamed is set when no file is read but the folder holds .eksguard.yml.
	misnamed bool
}

// locate finds the config file: --config, else EKSGUARD_CONFIG, else FileName in dir when it
// exists. A file named by --config or EKSGUARD_CONFIG must exist; os.DevNull names none.
func locate(cmd *cobra.Command, getenv func(string) string, dir string) (location, error) {
	if fl := cmd.Flag(FlagName); fl != nil && fl.Changed {
		p := fl.Value.String()
		if p == "" {
			return location{}, fmt.Errorf("--%s: empty; name a file, or %s to read none", FlagName, os.DevNull)
		}
		return named(p, "--"+FlagName)
	}
	if p := getenv(EnvConfig); p != "" {
		return named(p, EnvConfig)
	}
	p := filepath.Join(dir, FileName)
	// Lstat, so that a link to nothing is reported rather than taken for no file.
	switch _, err := os.Lstat(p); {
	case err == nil:
		return location{path: p, name: FileName}, nil
	case errors.Is(err, os.ErrNotExist):
		if _, err := os.Lstat(filepath.Join(dir, misnamed)); err == nil {
			return location{misnamed: true}, nil
		}
		return location{}, nil
	default:
		return location{}, fmt.Errorf("%s: %w", FileName, unwrapPath(err))
	}
}

// misnamed is the name people give the file that eksguard does not read; one name is easier to find
// in a repository and to document than two.
const misnamed = ".eksguard.yml"

func named(p, origin string) (location, error) {
	if p == os.DevNull {
		return location{}, nil
	}
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return location{}, fmt.Errorf("%s: no such file: %s", origin, p)
	}
	return location{path: p, name: p, origin: origin}, nil
}

// unwrapPath drops the operation and path a *PathError repeats, since messages name the file.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// join makes one error of several, one per line.
func join(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// explainErrors makes the errors cmd returns name the origin of each flag they mention that was not
// on the command line: "--rate must be a number above 0, not -1 (--rate is from .eksguard.yaml:3)". A command validates its options after Apply, and without this the user would
// look for a --region they never typed.
func explainErrors(cmd *cobra.Command, settings []Setting) {
	run := cmd.RunE
	if run == nil {
		return
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		return withOrigins(run(c, args), settings)
	}
}

// withOrigins is err with the origins of the settings it mentions.
func withOrigins(err error, settings []Setting) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	type mention struct {
		at   int
		text string
	}
	var named []mention
	for _, s := range settings {
		if at := mentions(msg, "--"+s.Flag); at >= 0 {
			named = append(named, mention{at, "--" + s.Flag + " is from " + s.Origin})
		}
	}
	if len(named) == 0 {
		return err
	}
	// In the order the message names them.
	sort.Slice(named, func(i, j int) bool { return named[i].at < named[j].at })
	texts := make([]string, len(named))
	for i, m := range named {
		texts[i] = m.text
	}
	return &originError{err: err, note: strings.Join(texts, ", ")}
}

// originError adds origins to an error; the error it wraps still decides the exit code.
type originError struct {
	err  error
	note string
}

// Error puts the origins at the end of the message's first line, where the problem is stated; the
// lines after it, if any, are details.
func (e *originError) Error() string {
	first, rest, more := strings.Cut(e.err.Error(), "\n")
	msg := first + " (" + e.note + ")"
	if more {
		msg += "\n" + rest
	}
	return msg
}
func (e *originError) Unwrap() error { return e.err }

// mentions is where msg first holds flag as a whole word ("--region" is not in "--region-name"),
// or -1.
func mentions(msg, flag string) int {
	for i := 0; ; {
		j := strings.Index(msg[i:], flag)
		if j < 0 {
			return -1
		}
		j += i
		end := j + len(flag)
		if end == len(msg) || !nameChar(msg[end]) {
			return j
		}
		i = end
	}
}

func nameChar(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// note writes one line naming each setting and its origin, so that a run's log shows what did not
// come from its command line (in CI, what a committed file changed).
func note(w io.Writer, settings []Setting) {
	parts := make([]string, len(settings))
	for i, s := range settings {
		parts[i] = "--" + s.Flag + " (" + escape.Text(s.Origin) + ")"
	}
	sort.Strings(parts)
	fmt.Fprintf(w, "eksguard: settings not from the command line: %s\n", strings.Join(parts, ", "))
}
