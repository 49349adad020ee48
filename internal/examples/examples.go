// Package examples runs a check's examples through the real IaC adapters, as eksguard iac reads
// files: the verdict on the example as written, the edit eksguard proposes for a failing one (as the
// unified diff eksguard iac --format patch prints), and the verdict once that edit is applied. The
// examples test holds every check to its examples with it, and eksguard explain shows the edits it
// produces, so the remediation a user reads is the one the adapters write.
package examples

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/source/adapters"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// Run is what one example gave.
type Run struct {
	Example check.Example
	// Outcome is the check's verdict on the example as written.
	Outcome check.Outcome
	// Want is what the check wants of the failing example (empty when it passes, or has no target).
	Want model.Settings
	// Fix is the edit for a failing example; nil when it passes or its format is generated (a plan).
	Fix *finding.Fix
	// Skipped are the wanted settings the adapter cannot write, with why.
	Skipped map[model.Field]string
	// Patch is Fix as a unified diff with a/ and b/ names relative to the example's folder.
	Patch string
	// After is the verdict once Fix is applied (nil without a Fix).
	After *check.Outcome
	// Files are the example's files after the edit (the originals without one).
	Files map[string]string
}

// Execute writes the example into a temporary folder, reads it with every adapter and evaluates the
// check; for a failing example in an edited format it plans the fix for the example's options,
// renders it as a patch, applies it and evaluates again. The example must declare exactly one
// cluster and read without problems; anything else is an error.
func Execute(ctx context.Context, k *check.Check, ex check.Example) (*Run, error) {
	dir, err := os.MkdirTemp("", "eksguard-example-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	names := make([]string, 0, len(ex.Files))
	for name := range ex.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(ex.Files[name]), 0o644); err != nil {
			return nil, err
		}
	}
	if k.OfRegistry() {
		reg, err := readRegistry(ctx, dir)
		if err != nil {
			return nil, err
		}
		return &Run{Example: ex, Outcome: k.EvaluateRegistry(reg), Files: ex.Files}, nil
	}
	r, err := read(ctx, dir)
	if err != nil {
		return nil, err
	}
	if !k.Applies(r.Cluster) {
		return nil, fmt.Errorf("the adapter did not read what %s judges (%v) from the example", k.ID, k.Parts)
	}
	run := &Run{Example: ex, Outcome: k.Evaluate(r.Cluster), Files: ex.Files}
	if run.Outcome.Status != finding.Fail || r.Fix == nil {
		return run, nil
	}
	opts := ex.Options
	if opts.Endpoint == "" {
		opts.Endpoint = check.TargetPrivate
	}
	want, why := k.Want(r.Cluster, opts)
	if why != "" || want.Empty() {
		return run, nil
	}
	run.Want = want
	fix, skipped, err := iac.PlanFix(r, want)
	run.Skipped = skipped
	if err != nil {
		return nil, fmt.Errorf("plan the fix: %w", err)
	}
	if fix == nil || len(fix.Edits) == 0 {
		return run, nil
	}
	run.Fix = fix
	var patch bytes.Buffer
	w, _ := render.New("patch", render.Options{})
	rep := &finding.Report{Results: []finding.Result{{Resource: finding.Resource{Name: r.Cluster.Name}, Fix: fix}}}
	if err := w.Write(&patch, rep); err != nil {
		return nil, fmt.Errorf("render the fix: %w", err)
	}
	run.Patch = patch.String()
	byFile := map[string][]finding.Edit{}
	for _, e := range fix.Edits {
		byFile[e.File] = append(byFile[e.File], e)
	}
	run.Files = map[string]string{}
	for name, src := range ex.Files {
		run.Files[name] = src
	}
	for file, edits := range byFile {
		p := filepath.Join(dir, filepath.FromSlash(file))
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("the fix edits %s, which the example does not have: %w", file, err)
		}
		out, err := finding.ApplyEdits(data, edits)
		if err != nil {
			return nil, fmt.Errorf("apply the fix to %s: %w", file, err)
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return nil, err
		}
		run.Files[file] = string(out)
	}
	after, err := read(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("after the fix: %w", err)
	}
	o := k.Evaluate(after.Cluster)
	run.After = &o
	return run, nil
}

// scan reads a folder as eksguard iac does; any problem is an error.
func scan(ctx context.Context, dir string) (iac.Result, error) {
	in, walkProblems, err := iac.Walk(ctx, []string{"."}, dir)
	if err != nil {
		return iac.Result{}, err
	}
	res, err := iac.Scan(ctx, in, iac.Options{}, adapters.All()...)
	if err != nil {
		return iac.Result{}, err
	}
	if probs := append(walkProblems, res.Problems...); len(probs) > 0 {
		var msgs []error
		for _, p := range probs {
			msgs = append(msgs, errors.New(p.String()))
		}
		return iac.Result{}, fmt.Errorf("problems reading the example: %w", errors.Join(msgs...))
	}
	return res, nil
}

// readRegistry scans a folder and returns the one registry it declares.
func readRegistry(ctx context.Context, dir string) (*model.Registry, error) {
	res, err := scan(ctx, dir)
	if err != nil {
		return nil, err
	}
	if len(res.Registries) != 1 {
		return nil, fmt.Errorf("the example declares %d registries, want 1", len(res.Registries))
	}
	return res.Registries[0], nil
}

// read scans a folder as eksguard iac does and returns its one cluster.
func read(ctx context.Context, dir string) (iac.Resource, error) {
	res, err := scan(ctx, dir)
	if err != nil {
		return iac.Resource{}, err
	}
	if len(res.Resources) != 1 {
		return iac.Resource{}, fmt.Errorf("the example declares %d clusters, want 1", len(res.Resources))
	}
	return res.Resources[0], nil
}
