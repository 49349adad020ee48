// Package iac is the shared frame of the infrastructure-as-code adapters: how files are found, what an
// adapter hands back (clusters with the lines that decide them, plus a way to propose a fix), and how
// problems in a user's file are reported. Each format lives in its own package under internal/source.
package iac

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// File is one input file.
type File struct {
	// Path is where the file is on disk.
	Path string
	// Name is how the file is reported: slash-separated and relative to the working directory when it
	// lies beneath it.
	Name string
	Data []byte
	// Explicit is set when the user named the file on the command line (not found by walking a
	// folder); a file named explicitly that no adapter can read is a problem, not silently skipped.
	Explicit bool
}

// Input is everything found under the paths given to eksguard iac.
type Input struct {
	Files []*File
	// Roots are the paths as the user gave them.
	Roots []string
	// Trees are the folders the scan may read, as absolute paths with links resolved: each folder
	// given, and the folder of each file given. A symbolic link that leads out of every tree is
	// never followed, wherever it is met (a file found by walking, a file in a module folder, a
	// module folder itself), so a scan of untrusted code reads nothing else on the machine. Empty
	// means the folders of the input files.
	Trees []string
}

// Within reports whether path lies inside dir (or is dir). Both must be clean absolute paths.
func Within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Options tune how adapters resolve values.
type Options struct {
	// Context, when set, ends a scan early: an adapter that can stop part-way (Terraform, whose
	// evaluation can be long) checks it. Scan sets it from its own context.
	Context context.Context
	// VarFiles are Terraform -var-file paths, applied in order after terraform.tfvars and *.auto.tfvars.
	VarFiles []string
	// Vars are Terraform -var NAME=VALUE assignments, applied last.
	Vars map[string]string
	// CFParamFiles are CloudFormation parameter files (--cf-params), applied in order to every
	// template that declares the parameters: a later file wins.
	CFParamFiles []string
	// TerragruntMocks makes a Terragrunt dependency's mock_outputs the values of its outputs;
	// without it they are unknown.
	TerragruntMocks bool
	// PulumiStack names the Pulumi stack (--pulumi-stack) whose Pulumi.<stack>.yaml gives config values
	// to the Pulumi YAML programs beside it; empty reads none.
	PulumiStack string
}

// Resource is one EKS cluster an adapter found.
type Resource struct {
	Cluster *model.Cluster
	// Fix writes settings into the cluster's source: each field where the adapter read it, or where
	// the format declares it when it was left out. It knows how the format spells each field, and
	// nothing about which values a check wants: those come from the checks. Nil when the format is
	// not something a person edits (a Terraform plan). A *FieldError says one field cannot be
	// written (and the others may be); any other error, that no safe edit exists at all.
	Fix func(model.Settings) (*finding.Fix, error)
}

// FieldError says that one setting cannot be written into a resource's source, and why.
type FieldError struct {
	Field  model.Field
	Reason string
}

func (e *FieldError) Error() string { return e.Reason }

// EditEach is a resource's Fix for a writer that can write any set of settings or fail as a whole:
// each setting is tried alone first, so that one the resource cannot take costs only its own edit (a
// *FieldError naming it); when several are asked and none can be written, the resource itself is
// the problem and the error is plain. Otherwise every setting is written in one edit.
func EditEach(want model.Settings, edit func(model.Settings) (*finding.Fix, error)) (*finding.Fix, error) {
	fields := want.Fields()
	var first *FieldError
	writable := 0
	for _, f := range fields {
		if _, err := edit(want.Only(f)); err != nil {
			if first == nil {
				first = &FieldError{Field: f, Reason: err.Error()}
			}
			continue
		}
		writable++
	}
	switch {
	case first == nil:
		return edit(want)
	case writable == 0 && len(fields) > 1:
		return nil, errors.New(first.Reason)
	}
	return nil, first
}

// PlanFix asks a resource for the edit that gives it the settings. Fields that cannot be written
// are dropped, one at a time, with why (skipped), and the rest are planned again, so one field the
// format cannot express does not cost the others their edit. A nil fix with a nil error means there
// was nothing left to write.
func PlanFix(r Resource, want model.Settings) (fix *finding.Fix, skipped map[model.Field]string, err error) {
	skipped = map[model.Field]string{}
	if r.Fix == nil {
		return nil, skipped, errors.New("the format is generated, not edited: change its source")
	}
	for !want.Empty() {
		fix, err = callFix(r.Fix, want)
		var fe *FieldError
		if errors.As(err, &fe) && slices.Contains(want.Fields(), fe.Field) {
			skipped[fe.Field] = fe.Reason
			want = want.Without(fe.Field)
			continue
		}
		return fix, skipped, err
	}
	return nil, skipped, nil
}

// callFix keeps an adapter's bug in proposing a fix from taking the report down.
func callFix(fn func(model.Settings) (*finding.Fix, error), want model.Settings) (fix *finding.Fix, err error) {
	defer func() {
		if r := recover(); r != nil {
			fix, err = nil, fmt.Errorf("internal error, please report it: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(want)
}

// Problem is input that could not be read or used, with where and what kind (finding.Problem).
type Problem = finding.Problem

// Result is what an adapter found.
type Result struct {
	Resources []Resource
	// Registries are the ECR repositories and registry scanning configuration a tree declares,
	// one registry per root (a Terraform root module, a template).
	Registries []*model.Registry
	Problems   []Problem
	// Claimed names (File.Name) the files the adapter recognised as its own, parsed or not, so that
	// a file named on the command line that nobody recognises can be reported.
	Claimed []string
	// Skipped lists what the adapter saw and did not read, with why (a module it cannot evaluate).
	Skipped []model.Skip
}

// Adapter reads one family of formats. Scan looks at every input file and takes the ones it
// recognises; it must never panic, whatever the bytes.
type Adapter interface {
	Name() string
	Scan(in *Input, opts Options) Result
}

// ScanFiles runs scan on every input file whose name ends in one of exts (compared without case),
// turning a panic in one file into a problem with that file, so that one odd file cannot stop a scan.
// what names the format in that problem ("template", "eksctl config"). Fuzz tests call the
// adapters' per-file functions directly, so that such bugs are found rather than hidden.
func ScanFiles(in *Input, exts []string, what string, scan func(*File, *Result)) Result {
	var res Result
	if in == nil {
		return res
	}
	for _, f := range in.Files {
		if f == nil || !hasExt(f.Name, exts) && !hasExt(f.Path, exts) {
			continue
		}
		scanOne(f, &res, what, scan)
	}
	return res
}

func hasExt(name string, exts []string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range exts {
		if ext == e {
			return true
		}
	}
	return false
}

func scanOne(f *File, res *Result, what string, scan func(*File, *Result)) {
	defer func() {
		if r := recover(); r != nil {
			res.Problems = append(res.Problems, Problem{File: f.Name, Code: finding.ProblemInvalid, Message: fmt.Sprintf("internal error reading the %s: %v", what, r)})
			res.Claimed = append(res.Claimed, f.Name)
		}
	}()
	scan(f, res)
}
