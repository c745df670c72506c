package main

import (
	"bufio"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop/sim"
)

// reportFlags are the flags of nodeloop report.
type reportFlags struct {
	out, junit string
}

func (f *reportFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "write the merged JSON report to `OUT` (- for stdout, the summary then going to stderr)")
	fs.StringVar(&f.junit, "junit", "", "also write the merged report as JUnit XML to `FILE`, for a CI's test view")
}

// reportCmd works on the JSON reports of sweeps (nodeloop sim --seeds A-B --report
// FILE):
//
//	nodeloop report merge FILE... [-o OUT] [--junit FILE]
//
// merge checks that the reports are the shards of one sweep: one build, one
// program, one configuration, every seed of one range run exactly once. If they are,
// it prints the merged summary, writes the merged report and the JUnit XML when
// asked, and exits 1 when a seed failed, 0 otherwise. If they are not (a shard
// missing, one run twice, reports of different configurations), it writes nothing and
// exits 2, naming the gap, the overlap or the field that differs: the inputs are
// incomplete, which says nothing yet of the program, so it is not told as a finding.
func reportCmd(f *reportFlags, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"report: name a subcommand: merge"}
	}
	switch args[0] {
	case "merge":
		return reportMerge(f, args[1:], stdout, stderr)
	default:
		return usageError{fmt.Sprintf("report: unknown subcommand %q (there is: merge)", args[0])}
	}
}

func reportMerge(f *reportFlags, files []string, stdout, stderr io.Writer) error {
	if len(files) == 0 {
		return usageError{"report merge: name the report files of the shards"}
	}
	reports := make([]*sim.SweepReport, len(files))
	for i, name := range files {
		r, err := loadReport(name)
		if err != nil {
			return err
		}
		reports[i] = r
	}
	m, err := sim.MergeSweepReports(files, reports)
	if err != nil {
		return inputError{fmt.Errorf("report merge: %w", err)}
	}
	summary := stdout
	if f.out == "-" {
		summary = stderr
	}
	fmt.Fprintf(summary, "%s: %d seeds (%v, %d reports) in %v of summed wall time, %d failed\n",
		m.Program, m.Runs, m.Seeds, len(reports), m.Elapsed.Round(time.Millisecond), m.Failed)
	printFailures(summary, m)
	if f.out != "" {
		if err := writeOutputFile(f.out, stdout, m.WriteJSON); err != nil {
			return err
		}
	}
	if f.junit != "" {
		if err := writeToFile(f.junit, func(w io.Writer) error { return writeJUnit(w, m) }); err != nil {
			return err
		}
	}
	if m.Failed > 0 {
		return findingError{fmt.Sprintf("%d of %d seeds failed; first: %s", m.Failed, m.Runs, m.Failures[0].Reproduce)}
	}
	return nil
}

// loadReport reads a sweep report; a file that cannot be read or is not one is an
// inputError naming it.
func loadReport(name string) (*sim.SweepReport, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, inputError{err}
	}
	defer fh.Close()
	r, err := sim.ReadSweepReport(bufio.NewReader(fh))
	if err != nil {
		return nil, inputError{fmt.Errorf("%s: %w", name, err)}
	}
	return r, nil
}

// The JUnit XML of a sweep: one test suite for the program, one failing test case
// per failure kept, one for the failing seeds left out, and one passing case for all
// the seeds that passed. The suite's counts are the sweep's seeds.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    uint64       `xml:"tests,attr"`
		Failures uint64       `xml:"failures,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      uint64          `xml:"tests,attr"`
		Failures   uint64          `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// writeJUnit writes r as JUnit XML.
func writeJUnit(w io.Writer, r *sim.SweepReport) error {
	secs := fmt.Sprintf("%.3f", r.Elapsed.Seconds())
	class := "nodeloop.sim." + r.Program
	s := junitSuite{
		Name: r.Program, Tests: r.Runs, Failures: r.Failed, Time: secs,
		Properties: []junitProperty{
			{"seeds", r.Seeds.String()},
			{"config", string(r.Config)},
			{"revision", r.Build.Revision},
		},
	}
	for _, f := range r.Failures {
		text := f.Result + "\nreproduce: " + f.Reproduce
		s.Cases = append(s.Cases, junitCase{
			Name: fmt.Sprintf("seed %d", f.Seed), Classname: class,
			Failure: &junitFailure{Message: firstLine(f.Verdict + ": " + f.Error), Type: f.Verdict, Text: text},
		})
	}
	if r.FailuresOmitted > 0 {
		s.Cases = append(s.Cases, junitCase{
			Name: fmt.Sprintf("%d more failing seeds", r.FailuresOmitted), Classname: class,
			Failure: &junitFailure{Message: fmt.Sprintf("%d failing seeds past the %d smallest, which the report keeps", r.FailuresOmitted, len(r.Failures)), Type: "failed"},
		})
	}
	if passed := r.Runs - r.Failed; passed > 0 {
		s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("%d passing seeds of %v", passed, r.Seeds), Classname: class})
	}
	doc := junitSuites{Name: "nodeloop sweep", Tests: r.Runs, Failures: r.Failed, Time: secs, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
