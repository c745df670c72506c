package nodeloop_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nodeloop/nodeloop/properties"
)

// semanticsDoc is the page of the loop's rules, relative to the module's root.
const semanticsDoc = "docs/semantics.md"

// docRule is one rule of the semantics page: a list item of one of its sections.
type docRule struct {
	section string
	n       int    // position in its section, from 1
	text    string // the item, its lines joined by single spaces
}

func (r docRule) String() string {
	return fmt.Sprintf("%s, section %q, rule %d", semanticsDoc, r.section, r.n)
}

// docRules splits the semantics page into its rules: every list item ("- " at the
// start of a line, continued by indented lines) under a "## " heading. It also
// returns the sections, in order, and the text before the first heading.
func docRules(doc string) (rules []docRule, sections []string, intro string) {
	var cur *docRule
	var introLines []string
	section := ""
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			cur = nil
			section = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			sections = append(sections, section)
		case section == "":
			introLines = append(introLines, line)
		case strings.HasPrefix(line, "- "):
			n := 1
			if k := len(rules); k > 0 && rules[k-1].section == section {
				n = rules[k-1].n + 1
			}
			rules = append(rules, docRule{section: section, n: n, text: strings.TrimPrefix(line, "- ")})
			cur = &rules[len(rules)-1]
		case cur != nil && strings.HasPrefix(line, "  ") && strings.TrimSpace(line) != "":
			cur.text += " " + strings.TrimSpace(line)
		default:
			cur = nil
		}
	}
	return rules, sections, strings.Join(introLines, "\n")
}

// citation is one test a rule names: a test function, perhaps with a subtest path,
// and the package it is in, as a directory relative to the module's root.
type citation struct {
	test string // TestName or TestName/sub/...
	pkg  string // "nodeloop" for the root package, else the package's path in the module
}

var (
	citeTestRE = regexp.MustCompile("`(Test[A-Za-z0-9_]*(?:/[A-Za-z0-9_.=-]+)*)`")
	citePkgRE  = regexp.MustCompile(`\(package ([A-Za-z0-9_./-]+)\)`)
	citeRuleRE = regexp.MustCompile("[Rr]ule `([a-z-]+)`")
)

// citations returns the tests text cites. Every backquoted test name must be
// followed, after any further names, by "(package P)", which applies to all of
// them; names with no package after them are returned in orphans.
func citations(text string) (cites []citation, orphans []string) {
	type match struct {
		at   int
		test string
		pkg  string
	}
	var ms []match
	for _, m := range citeTestRE.FindAllStringSubmatchIndex(text, -1) {
		ms = append(ms, match{at: m[0], test: text[m[2]:m[3]]})
	}
	for _, m := range citePkgRE.FindAllStringSubmatchIndex(text, -1) {
		ms = append(ms, match{at: m[0], pkg: text[m[2]:m[3]]})
	}
	slices.SortFunc(ms, func(a, b match) int { return a.at - b.at })
	var waiting []string
	for _, m := range ms {
		if m.test != "" {
			waiting = append(waiting, m.test)
			continue
		}
		for _, name := range waiting {
			cites = append(cites, citation{test: name, pkg: m.pkg})
		}
		waiting = nil
	}
	return cites, waiting
}

// moduleTree is what the doc's citations are checked against: the test functions of
// every package directory of the module, the Go source of the module (where subtest
// names are written) and the files under each testdata directory.
type moduleTree struct {
	root     string
	tests    map[string]map[string]bool // directory (slash-separated, "." the root) → test functions
	source   []byte                     // every .go file, concatenated
	testdata map[string]map[string]bool // package directory → base names (without extension) of its testdata files
}

var testFuncRE = regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]*)\(`)

// moduleRoot returns the directory of the go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// readModule walks the module tree, skipping .git and the directories the go
// command ignores (names starting with "." or "_") but reading testdata's file names.
func readModule(t *testing.T) *moduleTree {
	t.Helper()
	m := &moduleTree{root: moduleRoot(t), tests: map[string]map[string]bool{}, testdata: map[string]map[string]bool{}}
	var src bytes.Buffer
	err := filepath.WalkDir(m.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(m.root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if segs := strings.Split(rel, "/"); slices.Contains(segs, "testdata") {
			pkg := path.Join(segs[:slices.Index(segs, "testdata")]...)
			if pkg == "" {
				pkg = "."
			}
			if m.testdata[pkg] == nil {
				m.testdata[pkg] = map[string]bool{}
			}
			m.testdata[pkg][strings.TrimSuffix(name, path.Ext(name))] = true
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		src.Write(b)
		src.WriteByte('\n')
		if !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		dir := path.Dir(rel)
		if m.tests[dir] == nil {
			m.tests[dir] = map[string]bool{}
		}
		for _, sm := range testFuncRE.FindAllSubmatch(b, -1) {
			m.tests[dir][string(sm[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the module: %v", err)
	}
	m.source = src.Bytes()
	return m
}

// check returns what is wrong with a citation, or "".
func (m *moduleTree) check(c citation) string {
	dir := c.pkg
	if dir == "nodeloop" {
		dir = "."
	}
	fn, subs, _ := strings.Cut(c.test, "/")
	if !m.tests[dir][fn] {
		var in []string
		for d, names := range m.tests {
			if names[fn] {
				if d == "." {
					d = "nodeloop"
				}
				in = append(in, d)
			}
		}
		slices.Sort(in)
		if len(in) > 0 {
			return fmt.Sprintf("cites `%s` (package %s), but func %s( is in the *_test.go files of %s", c.test, c.pkg, fn, strings.Join(in, ", "))
		}
		return fmt.Sprintf("cites `%s` (package %s), but no *_test.go file of the module has func %s(", c.test, c.pkg, fn)
	}
	if subs == "" {
		return ""
	}
	for _, sub := range strings.Split(subs, "/") {
		if !m.testdata[dir][sub] && !bytes.Contains(m.source, []byte(`"`+sub+`"`)) {
			return fmt.Sprintf("cites subtest `%s` (package %s), but %q is neither a file of that package's testdata nor a string in the module's Go source", c.test, c.pkg, sub)
		}
	}
	return ""
}

// docs/semantics.md cites tests that exist, in the packages it names; every rule
// cites at least one; every section has rules; and the invariants it marks are
// exactly the rules properties.Check enforces.
func TestSemanticsDocCitesTests(t *testing.T) {
	m := readModule(t)
	doc, err := os.ReadFile(filepath.Join(m.root, filepath.FromSlash(semanticsDoc)))
	if err != nil {
		t.Fatal(err)
	}
	rules, sections, intro := docRules(string(doc))
	if len(sections) == 0 {
		t.Fatalf("%s has no sections (## headings)", semanticsDoc)
	}
	perSection := map[string]int{}
	for _, r := range rules {
		perSection[r.section]++
	}
	for _, s := range sections {
		if perSection[s] == 0 {
			t.Errorf("%s, section %q states no rule (a list item citing its tests)", semanticsDoc, s)
		}
	}

	cited := 0
	checkText := func(where fmt.Stringer, text string) []citation {
		cites, orphans := citations(text)
		for _, o := range orphans {
			t.Errorf("%v: cites `%s` with no (package P) after it", where, o)
		}
		for _, c := range cites {
			if msg := m.check(c); msg != "" {
				t.Errorf("%v: %s", where, msg)
			}
		}
		cited += len(cites)
		return cites
	}
	checkText(introText{}, intro)

	known := map[string]bool{}
	for _, r := range properties.Rules() {
		known[r.Name] = true
	}
	marked := map[string]bool{}
	for _, r := range rules {
		if len(checkText(r, r.text)) == 0 {
			t.Errorf("%v cites no test: %.80s…", r, r.text)
		}
		names := citeRuleRE.FindAllStringSubmatch(r.text, -1)
		invariant := strings.Contains(r.text, "**(I)**")
		switch {
		case invariant && len(names) == 0:
			t.Errorf("%v is marked (I) but names no rule of properties.Rules()", r)
		case !invariant && len(names) > 0:
			t.Errorf("%v names rule %q but is not marked (I)", r, names[0][1])
		}
		for _, n := range names {
			if !known[n[1]] {
				t.Errorf("%v names rule %q, which properties.Rules() does not list", r, n[1])
			}
			marked[n[1]] = true
		}
	}
	for _, r := range properties.Rules() {
		if !marked[r.Name] {
			t.Errorf("%s marks no rule as properties.Check's rule %q (%s)", semanticsDoc, r.Name, r.Description)
		}
	}
	if cited == 0 {
		t.Fatalf("%s cites no test", semanticsDoc)
	}
}

type introText struct{}

func (introText) String() string { return semanticsDoc + ", before its first section" }

// The checker of the page catches what it is for: a test that does not exist, one
// in another package, a missing package, an unknown subtest and a rule citing
// nothing.
func TestSemanticsDocChecker(t *testing.T) {
	m := readModule(t)
	for _, tc := range []struct {
		text string
		bad  bool
	}{
		{"Pinned by `TestCachedTime` (package nodeloop).", false},
		{"Pinned by `TestCachedTime`, `TestLoopStop` (package nodeloop) and `TestSequence` (package properties).", false},
		{"Pinned by `TestConformance/timer_lists_order` (package internal/nodeconf).", false},
		{"Pinned by `TestSystem/WaitTimeout` (package poller).", false},
		{"Pinned by `TestNoSuchTestAnywhere` (package nodeloop).", true},
		{"Pinned by `TestCachedTime` (package sim).", true},
		{"Pinned by `TestConformance/no_such_script` (package internal/nodeconf).", true},
		{"Pinned by `TestCachedTime`.", true},
		{"Pinned by nothing at all.", true},
	} {
		cites, orphans := citations(tc.text)
		bad := len(cites) == 0 || len(orphans) > 0
		for _, c := range cites {
			if m.check(c) != "" {
				bad = true
			}
		}
		if bad != tc.bad {
			t.Errorf("%q: found wrong %v, want %v (citations %v, orphans %v)", tc.text, bad, tc.bad, cites, orphans)
		}
	}
	rules, sections, _ := docRules("# T\n\nintro `TestX`\n\n## A\n\n- one\n  more (package p)\n- two\n\ntext\n\n    code\n\n## B\n")
	if len(rules) != 2 || rules[0].text != "one more (package p)" || rules[1].n != 2 || fmt.Sprint(sections) != "[A B]" {
		t.Errorf("docRules: rules %+v, sections %v", rules, sections)
	}
}

// architectureDoc is the map of the packages, relative to the module's root.
const architectureDoc = "docs/architecture.md"

// packageRowRE matches a row of the architecture page's package table and captures
// the package's path: "| `sim` | ..." or "| `nodeloop` (the module's root) | ...".
var packageRowRE = regexp.MustCompile("(?m)^\\| `([a-z0-9_/]+)`([^|]*)\\|")

// docs/architecture.md cites tests that exist, and its package table has a row for
// every package of the module and none for a package that does not exist, but for
// the rows marked as still to be placed (TODO(paths)).
func TestArchitectureDoc(t *testing.T) {
	m := readModule(t)
	doc, err := os.ReadFile(filepath.Join(m.root, filepath.FromSlash(architectureDoc)))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(doc)), " ")
	cites, orphans := citations(text)
	for _, o := range orphans {
		t.Errorf("%s cites `%s` with no (package P) after it", architectureDoc, o)
	}
	for _, c := range cites {
		if msg := m.check(c); msg != "" {
			t.Errorf("%s: %s", architectureDoc, msg)
		}
	}

	packages := map[string]bool{}
	err = filepath.WalkDir(m.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != m.root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			rel, err := filepath.Rel(m.root, filepath.Dir(p))
			if err != nil {
				return err
			}
			packages[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, row := range packageRowRE.FindAllStringSubmatch(string(doc), -1) {
		dir, rest := row[1], row[2]
		if dir == "nodeloop" {
			dir = "."
		}
		rows[dir] = true
		if !packages[dir] && !strings.Contains(rest, "TODO(paths)") {
			t.Errorf("%s has a row for package %s, which does not exist", architectureDoc, row[1])
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(packages)) {
		if !rows[dir] {
			name := dir
			if dir == "." {
				name = "nodeloop"
			}
			t.Errorf("%s has no row for package %s in its table of packages", architectureDoc, name)
		}
	}
}
