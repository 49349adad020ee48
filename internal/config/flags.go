package config

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/cmdutil"
)

// policy says where a flag may take its value from.
type policy int

const (
	anywhere        policy = iota // the command line, the environment or the file
	notInFile                     // the command line or the environment
	commandLineOnly               // the command line alone
	notSetting                    // help, version, --config itself, hidden flags: not settings at all
)

// rule is a policy the commands do not put on their flags themselves (see the annotations).
type rule struct {
	command, flag string // an empty command is every command
	policy        policy
	why           string
}

// rules keep out of files and the environment what changes a live cluster or turns off one of
// fix's guards: a file in a repository someone else wrote, or a variable exported long ago, must
// never turn a plan into a change. They keep --endpoint-url out of files, since it sends signed
// AWS requests, session token included, wherever the file says.
var rules = []rule{
	{"fix", "apply", commandLineOnly, "it changes a live cluster"},
	{"fix", "yes", commandLineOnly, "it skips the confirmation before a live cluster changes"},
	{"fix", "allow-lockout", commandLineOnly, "it turns off the check that clients keep their access"},
	{"fix", "no-rollback", commandLineOnly, "it keeps a failed change in place"},
	{"", "endpoint-url", notInFile, "a file could send your signed AWS requests, session token included, to any address; " +
		"pass the flag, or set EKSGUARD_ENDPOINT_URL or AWS_ENDPOINT_URL"},
}

// notSettings explain the names that look like flags but are no settings.
var notSettings = map[string]string{
	"help":    "help is not a setting",
	"version": "version is not a setting",
	FlagName:  "a config file cannot name another; use --config or " + EnvConfig,
}

// flagInfo is one flag of a command and where it may take its value from.
type flagInfo struct {
	flag   *pflag.Flag
	policy policy
	why    string
}

// command is one command's flags; path is its name below the root ("scan").
type command struct {
	path  string
	flags map[string]*flagInfo
}

// configurable reports whether any of the command's flags is a setting; commands without one never
// read the file.
func (c *command) configurable() bool {
	for _, f := range c.flags {
		if f.policy != notSetting {
			return true
		}
	}
	return false
}

// names are the command's flags that a file may set, sorted.
func (c *command) names() []string {
	var out []string
	for n, f := range c.flags {
		if f.policy == anywhere {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// tree is every visible command below the root, by path. The file is checked against all of them, so
// a typo is found whichever command runs.
type tree struct {
	commands map[string]*command
}

func newTree(root, running *cobra.Command) *tree {
	t := &tree{commands: map[string]*command{}}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden {
				continue
			}
			t.add(sub)
			walk(sub)
		}
	}
	walk(root)
	if running != root && !running.Hidden {
		t.add(running) // cobra adds help and completion commands at run time; they are ordinary here
	}
	return t
}

func (t *tree) add(c *cobra.Command) {
	path := cmdutil.CommandPath(c)
	cmd := &command{path: path, flags: map[string]*flagInfo{}}
	visit := func(f *pflag.Flag) {
		if _, ok := cmd.flags[f.Name]; ok {
			return
		}
		p, why := classify(c, path, f)
		cmd.flags[f.Name] = &flagInfo{flag: f, policy: p, why: why}
	}
	// Flags holds the persistent flags of the parents only once the command has parsed its command
	// line; InheritedFlags merges them for the others.
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	t.commands[path] = cmd
}

// classify is where a flag of command c (at path) may take its value from, and why not elsewhere.
func classify(c *cobra.Command, path string, f *pflag.Flag) (policy, string) {
	switch {
	case f.Name == "help" || f.Name == FlagName || f.Name == "version" && c.Version != "":
		return notSetting, notSettings[f.Name]
	case f.Hidden:
		return notSetting, ""
	}
	if why, ok := f.Annotations[AnnotationCommandLineOnly]; ok {
		return commandLineOnly, first(why)
	}
	if why, ok := f.Annotations[AnnotationNotInFile]; ok {
		return notInFile, first(why)
	}
	for _, r := range rules {
		if r.flag == f.Name && (r.command == "" || r.command == path) {
			return r.policy, r.why
		}
	}
	return anywhere, ""
}

func first(s []string) string {
	if len(s) == 0 {
		return "it must be given on the command line"
	}
	return s[0]
}

// holders are the paths of the commands that have flag as something other than notSetting, sorted.
func (t *tree) holders(flag string) []string {
	var out []string
	for p, c := range t.commands {
		if f := c.flags[flag]; f != nil && f.policy != notSetting {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// keys are every name the top level of a file may hold: flags and command sections, sorted.
func (t *tree) keys() []string {
	seen := map[string]bool{}
	for p, c := range t.commands {
		seen[p] = true
		for _, n := range c.names() {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// refusal is the message for a flag given where its policy keeps it out of.
func refusal(path string, f *flagInfo) string {
	ref := "--" + f.flag.Name
	if path != "" {
		ref = path + " " + ref
	}
	if f.policy == commandLineOnly {
		return ref + " is only taken from the command line: " + f.why
	}
	return ref + " is not read from a config file: " + f.why
}

// isList reports whether a flag takes several values (StringSlice, StringArray and the like).
func isList(f *pflag.Flag) bool {
	if _, ok := f.Value.(interface{ GetSlice() []string }); ok {
		return true
	}
	t := f.Value.Type()
	return strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array")
}

// apply sets the flags of cur (the running command) that its command line left alone: from the
// environment, else from the file. It returns what it set, or every problem found.
func apply(cmd *cobra.Command, cur *command, f *file, getenv func(string) string) ([]Setting, []error) {
	names := make([]string, 0, len(cur.flags))
	for n := range cur.flags {
		names = append(names, n)
	}
	sort.Strings(names)
	var settings []Setting
	var errs []error
	for _, name := range names {
		info := cur.flags[name]
		if info.policy == notSetting {
			continue
		}
		env := EnvName(name)
		ev := getenv(env)
		if info.policy == commandLineOnly {
			if ev != "" {
				errs = append(errs, fmt.Errorf("%s: %s; unset it", env, refusal(cur.path, info)))
			}
			continue
		}
		if info.flag.Changed {
			continue // the command line wins
		}
		if ev != "" {
			// A variable is the flag given once: a comma list where the flag splits on commas.
			if bad, why := set(cmd.Flags(), info.flag, []string{ev}); why != "" {
				errs = append(errs, fmt.Errorf("%s: --%s: invalid value %q: %s", env, name, bad, why))
				continue
			}
			settings = append(settings, Setting{Flag: name, Origin: env})
			continue
		}
		if f == nil || info.policy == notInFile {
			continue
		}
		v := f.value(cur.path, name)
		if v == nil || len(v.items) == 0 {
			continue // null or []: the default
		}
		if v.list && !isList(info.flag) {
			msg := fmt.Sprintf("%s: a list, but %s --%s takes one value", name, cur.path, name)
			if !v.section {
				msg += fmt.Sprintf(" (give one value, or set %s in a %q section)", name, cur.path)
			}
			errs = append(errs, f.errorf(v.line, "%s", msg))
			continue
		}
		texts := make([]string, len(v.items))
		for i, it := range v.items {
			texts[i] = it.text
		}
		if bad, why := set(cmd.Flags(), info.flag, texts); why != "" {
			line := v.line
			for _, it := range v.items {
				if it.text == bad {
					line = it.line
					break
				}
			}
			errs = append(errs, f.errorf(line, "%s: invalid value %q: %s", name, bad, why))
			continue
		}
		settings = append(settings, Setting{Flag: name, Origin: fmt.Sprintf("%s:%d", f.name, v.line)})
	}
	return settings, errs
}

// set gives a flag values through its own Set, each as if the flag were typed once with it, and
// marks it changed as the command line does. A list replaces the flag's default, whatever its Set
// does on a first call. It returns the value refused and why.
func set(fs *pflag.FlagSet, f *pflag.Flag, values []string) (string, string) {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		if err := sv.Replace([]string{}); err != nil {
			return "", err.Error()
		}
	}
	for _, v := range values {
		if err := fs.Set(f.Name, v); err != nil {
			return v, describe(f.Value.Type(), err)
		}
	}
	return "", ""
}

// describe says what a flag's Set refused, in words rather than a parser's.
func describe(typ string, err error) string {
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) && ive.Unwrap() != nil {
		err = ive.Unwrap()
	}
	var ne *strconv.NumError
	switch {
	case typ == "bool":
		return "want true or false"
	case typ == "duration":
		return "want a duration such as 90s, 5m or 1h30m"
	case errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange):
		return "out of range"
	case errors.As(err, &ne) && strings.HasPrefix(typ, "float"):
		return "want a number"
	case errors.As(err, &ne):
		return "want a whole number"
	}
	return err.Error()
}
