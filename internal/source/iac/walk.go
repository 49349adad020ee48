package iac

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
)

// MaxFileSize is the largest file read, counted as UTF-8 text (after Decode). IaC files are far
// smaller; a bigger one is almost always generated data, and reading it whole would cost more memory
// than the rest of a scan. Counting text rather than bytes on disk means a plan is accepted or refused
// alike whether PowerShell saved it as UTF-16 (twice the bytes) or another shell as UTF-8.
const MaxFileSize = 10 << 20

// NotIaC is the problem reported for a file named on the command line that no adapter recognises.
const NotIaC = "not a Terraform, Terragrunt, plan JSON, CloudFormation, eksctl, Kubernetes (Cluster API, ACK, Crossplane, kro) or Pulumi YAML file"

// skipDirs are folders never entered while walking, because what they hold is not the user's own
// configuration: version control data, tool caches and copies of modules (scanning a copy reports
// the same cluster twice, evaluated without its caller's variables), and package dependencies. A
// folder named on the command line is walked even when its name is listed. cdk.out is not listed:
// CDK synth output is the only CloudFormation a CDK project has.
var skipDirs = map[string]bool{
	".git":              true,
	".hg":               true,
	".svn":              true,
	".terraform":        true,
	".terragrunt-cache": true,
	".aws-sam":          true,
	"node_modules":      true,
	"vendor":            true,
}

// walkExts are the file name endings read while walking a folder; every adapter claims files by
// these (Terraform: .tf, .tf.json, .tfvars, .tfvars.json and plan JSON; CloudFormation: .json, .yaml,
// .yml, .template; eksctl: .yaml, .yml). Other files found by walking are not read at all, so a tree
// full of images or archives costs nothing. A file named on the command line is read whatever its
// name, so a plan saved without an extension can still be scanned.
var walkExts = []string{".tf", ".tfvars", ".json", ".yaml", ".yml", ".template"}

func walkable(name string) bool {
	name = strings.ToLower(name)
	if name == "terragrunt.hcl" {
		// Terragrunt's configuration; other .hcl files (root.hcl, env.hcl) are read only when a
		// terragrunt.hcl includes or reads them, so they are never reported as not IaC.
		return true
	}
	for _, ext := range walkExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// Walk finds the input files under paths: files named directly (Explicit) and the files below
// folders, recursively, skipping skipDirs. Names are slash-separated and relative to cwd when the
// file lies beneath it, absolute otherwise; Path is absolute. While walking, symbolic links to
// folders are not followed (no loops, no escaping the tree) and symbolic links to files are followed
// only when the target lies inside the folder being walked: a link out of the tree is a problem, so a
// scan of untrusted code never reads, and never quotes in a message, files elsewhere on the machine.
// Files that cannot be read, are larger than MaxFileSize or are not text (Decode) are problems, one
// per file; the others are read as Decode returns them. A path that does not exist or cannot be
// opened is an error: the command was called wrongly.
//
// Walking stops when ctx ends, and Walk then returns ctx's error.
func Walk(ctx context.Context, paths []string, cwd string) (*Input, []Problem, error) {
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, nil, fmt.Errorf("find the working directory: %w", err)
		}
		cwd = wd
	}
	if abs, err := filepath.Abs(cwd); err == nil {
		cwd = abs
	}
	w := &walker{ctx: ctx, cwd: filepath.Clean(cwd), index: map[string]*File{}}
	w.in.Roots = append([]string{}, paths...)
	var missing []string
	for _, p := range paths {
		abs := w.abs(p)
		fi, err := os.Stat(abs)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, p)
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))
		case fi.IsDir():
			w.addTree(abs)
			w.walkDir(abs)
		default:
			w.addTree(filepath.Dir(abs))
			w.addFile(abs, fi, true)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("no such file or directory: %s", strings.Join(missing, ", "))
	}
	return &w.in, w.problems, nil
}

type walker struct {
	ctx      context.Context
	cwd      string
	in       Input
	problems []Problem
	// index finds a file already added by its absolute path, so that a file reached twice (named
	// and inside a named folder) is read once, and counts as named.
	index map[string]*File
}

// addTree records a folder the scan may read (Input.Trees), by its real location.
func (w *walker) addTree(dir string) {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	for _, t := range w.in.Trees {
		if t == dir {
			return
		}
	}
	w.in.Trees = append(w.in.Trees, dir)
}

func (w *walker) abs(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(w.cwd, p)
	}
	return filepath.Clean(p)
}

// name is how a file is reported.
func (w *walker) name(abs string) string {
	if rel, err := filepath.Rel(w.cwd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

func (w *walker) problem(abs, code string, format string, a ...any) {
	w.problems = append(w.problems, Problem{File: w.name(abs), Code: code, Message: fmt.Sprintf(format, a...)})
}

func (w *walker) walkDir(root string) {
	// The boundary links may not leave is the folder's real location.
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	// WalkDir does not enter a root that is itself a link, so the real folder is walked and its
	// paths are shown under the name the user gave.
	err = filepath.WalkDir(realRoot, func(p string, d fs.DirEntry, err error) error {
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
		if rel, rerr := filepath.Rel(realRoot, p); rerr == nil {
			p = filepath.Join(root, rel)
		}
		if err != nil {
			// A folder that cannot be listed is a problem; the rest of the tree is still walked.
			w.problem(p, finding.ProblemRead, "cannot read: %v", unwrapPath(err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !walkable(d.Name()) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			w.addLink(p, realRoot)
			return nil
		}
		if !d.Type().IsRegular() {
			// A pipe, socket or device named like IaC is never opened (a pipe would block the
			// scan), but it is not passed over in silence either.
			w.problem(p, finding.ProblemNotRegular, "%s, not a regular file; not read", fileio.Kind(d.Type()))
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			w.problem(p, finding.ProblemRead, "cannot read: %v", unwrapPath(err))
			return nil
		}
		w.addFile(p, fi, false)
		return nil
	})
	if err != nil && w.ctx.Err() == nil {
		w.problem(root, finding.ProblemRead, "cannot read: %v", unwrapPath(err))
	}
}

// addLink adds the file a symbolic link found by walking points to, if it stays inside the tree.
// Links to folders are left alone: following them could loop, and what they point to inside the
// tree is walked anyway.
func (w *walker) addLink(p, realRoot string) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		// A dangling link names nothing to scan.
		return
	}
	fi, err := os.Stat(target)
	if err != nil || fi.IsDir() {
		return
	}
	if !Within(target, realRoot) {
		w.problem(p, finding.ProblemLink, "symbolic link to %s, outside the folder being scanned; not followed (scan a folder that contains both)", filepath.ToSlash(target))
		return
	}
	w.addFile(p, fi, false)
}

func (w *walker) addFile(abs string, fi fs.FileInfo, explicit bool) {
	if f, ok := w.index[abs]; ok {
		f.Explicit = f.Explicit || explicit
		return
	}
	data, err := ReadFile(abs)
	if err != nil {
		w.problems = append(w.problems, ReadProblem(w.name(abs), err))
		return
	}
	f := &File{Path: abs, Name: w.name(abs), Data: data, Explicit: explicit}
	w.index[abs] = f
	w.in.Files = append(w.in.Files, f)
}

// ReadFile reads an input file: a regular file whose text is at most MaxFileSize (which it may have
// passed since it was listed), never a pipe or a device. It returns the text as Decode does (UTF-16
// converted, a UTF-8 byte order mark dropped), so every adapter, and every file an adapter reads
// itself, sees UTF-8 whatever the editor or shell that saved it. Errors are *ReadError and read as the
// rest of a problem whose file is already named ("named pipe (FIFO), not a regular file; not read");
// ReadProblem makes that problem.
func ReadFile(p string) ([]byte, error) { return ReadLimited(p, MaxFileSize) }

// ReadLimited is ReadFile with another size limit, on the text as on MaxFileSize.
func ReadLimited(p string, limit int64) ([]byte, error) {
	// UTF-16 takes up to twice the bytes of its text in UTF-8 (ASCII), plus its byte order mark:
	// that much is read, and the text held to the limit once decoded.
	raw := 2*limit + int64(len(bomUTF16LE))
	data, err := fileio.ReadFile(p, raw)
	var nr *fileio.NotRegularError
	var tl *fileio.TooLargeError
	switch {
	case errors.As(err, &nr):
		return nil, &ReadError{Code: finding.ProblemNotRegular, Message: fileio.Kind(nr.Mode) + ", not a regular file; not read"}
	case errors.As(err, &tl) && tl.Size >= 0:
		return nil, tooLarge(tl.Size, limit)
	case errors.As(err, &tl):
		return nil, &ReadError{Code: finding.ProblemTooLarge, Message: fmt.Sprintf("file grew past the %s limit while it was read; not scanned", fileio.Size(limit))}
	case err != nil:
		return nil, &ReadError{Code: finding.ProblemRead, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))}
	}
	if text := bytes.TrimPrefix(data, bomUTF8); !bytes.HasPrefix(data, bomUTF16LE) && !bytes.HasPrefix(data, bomUTF16BE) && int64(len(text)) > limit {
		// Checked before decoding: a file too large is refused as such, whatever it holds.
		return nil, tooLarge(int64(len(data)), limit)
	}
	return decode(data, limit)
}

func tooLarge(size, limit int64) error {
	a, b := fileio.SizePair(size, limit)
	return &ReadError{Code: finding.ProblemTooLarge, Message: fmt.Sprintf("file is %s, over the %s limit; not scanned", a, b)}
}

// ReadError is an input file that was not read: why, the problem code that says what kind, and where
// in the file when one place is to blame (a character that is not valid UTF-16, a NUL byte).
type ReadError struct {
	Code    string
	Message string
	// Line and Column are 1-based, 0 when the whole file is to blame.
	Line, Column int
}

func (e *ReadError) Error() string { return e.Message }

// ReadErrorCode is the problem code of an error from ReadFile, ReadLimited or Decode.
func ReadErrorCode(err error) string {
	var re *ReadError
	if errors.As(err, &re) {
		return re.Code
	}
	return finding.ProblemRead
}

// ReadProblem is the problem of file, as reported, that ReadFile, ReadLimited or Decode refused with
// err.
func ReadProblem(file string, err error) Problem {
	p := Problem{File: file, Code: finding.ProblemRead, Message: err.Error()}
	var re *ReadError
	if errors.As(err, &re) {
		p.Code, p.Line, p.Column = re.Code, re.Line, re.Column
	}
	return p
}

// unwrapPath drops the operation and path from a *fs.PathError: messages already name the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Scan runs every adapter over the input, each in its own goroutine (they only read the input), and
// merges what they found, in the order the adapters are given. A file named on the command line that
// no adapter claims is a problem. An adapter that panics loses its results, and the panic becomes a
// problem, so one adapter's bug never takes the others' findings with it. Problems are deduplicated
// and sorted by file, line and message.
//
// When ctx ends first, Scan returns its error at once and no result: adapters that check
// Options.Context stop soon after, the others finish in the background and are discarded.
func Scan(ctx context.Context, in *Input, opts Options, adapters ...Adapter) (Result, error) {
	opts.Context = ctx
	results := make([]Result, len(adapters))
	var wg sync.WaitGroup
	for i, a := range adapters {
		if a == nil {
			continue
		}
		wg.Go(func() { results[i] = runAdapter(a, in, opts) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-done:
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var out Result
	claimed := map[string]bool{}
	for _, r := range results {
		for _, res := range r.Resources {
			if res.Cluster != nil {
				out.Resources = append(out.Resources, res)
			}
		}
		for _, reg := range r.Registries {
			if reg != nil {
				out.Registries = append(out.Registries, reg)
			}
		}
		out.Problems = append(out.Problems, r.Problems...)
		out.Skipped = append(out.Skipped, r.Skipped...)
		for _, name := range r.Claimed {
			if !claimed[name] {
				claimed[name] = true
				out.Claimed = append(out.Claimed, name)
			}
		}
	}
	if in != nil {
		for _, f := range in.Files {
			if f != nil && f.Explicit && !claimed[f.Name] {
				out.Problems = append(out.Problems, Problem{File: f.Name, Code: finding.ProblemNotIaC, Message: NotIaC})
			}
		}
	}
	out.Problems = SortProblems(out.Problems)
	return out, nil
}

func runAdapter(a Adapter, in *Input, opts Options) (res Result) {
	name := "adapter"
	defer func() {
		if r := recover(); r != nil {
			res = Result{Problems: []Problem{{File: name, Code: finding.ProblemInvalid, Message: fmt.Sprintf("internal error, please report it: %v\n%s", r, debug.Stack())}}}
		}
	}()
	name = a.Name()
	return a.Scan(in, opts)
}

// SortProblems sorts problems by file, line and message, and drops repeats (two adapters may both
// see that a file does not parse).
func SortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Message < b.Message
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}
