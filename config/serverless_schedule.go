package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParseSchedule checks an EventBridge Scheduler expression: rate(N unit)
// with a positive N and the unit singular exactly when N is 1, or cron()
// with six fields (minutes hours day-of-month month day-of-week year) in
// which exactly one of day-of-month and day-of-week is "?". One-time at()
// schedules are refused: a function's schedule recurs.
func ParseSchedule(expr string) error {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(strings.TrimSuffix(strings.TrimPrefix(expr, "rate("), ")"))
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	case strings.HasPrefix(expr, "at("):
		return fmt.Errorf("%q is a one-time schedule; a recurring rate() or cron() is needed", expr)
	}
	return fmt.Errorf("%q is neither rate(…) nor cron(…)", expr)
}

func parseRate(body string) error {
	n, unit, ok := strings.Cut(body, " ")
	v, err := strconv.Atoi(n)
	switch {
	case !ok || err != nil || n == "" || n[0] < '1' || n[0] > '9':
		return fmt.Errorf("rate(%s) needs a positive whole number (no sign, no leading zero), a space and a unit", body)
	case unit != "minute" && unit != "minutes" && unit != "hour" && unit != "hours" && unit != "day" && unit != "days":
		return fmt.Errorf("rate(%s): %q is not minute(s), hour(s) or day(s)", body, unit)
	case v == 1 && strings.HasSuffix(unit, "s"):
		return fmt.Errorf("rate(%s): a value of 1 takes the singular %s", body, strings.TrimSuffix(unit, "s"))
	case v > 1 && !strings.HasSuffix(unit, "s"):
		return fmt.Errorf("rate(%s): a value above 1 takes the plural %ss", body, unit)
	}
	return nil
}

type cronField struct {
	name   string
	lo, hi int
	names  []string // names of lo, lo+1, … (JAN…, SUN…)
	kind   string   // "dom", "dow" or ""
}

var cronFields = []cronField{
	{name: "minutes", lo: 0, hi: 59},
	{name: "hours", lo: 0, hi: 23},
	{name: "day-of-month", lo: 1, hi: 31, kind: "dom"},
	{name: "month", lo: 1, hi: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", lo: 1, hi: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, kind: "dow"},
	{name: "year", lo: 1970, hi: 2199},
}

var (
	cronNearestWeekdayRe = regexp.MustCompile(`^([0-9]{1,2})W$`)
	cronLastWeekdayRe    = regexp.MustCompile(`^([0-9A-Z]+)L$`)
	cronNthWeekdayRe     = regexp.MustCompile(`^([0-9A-Z]+)#([0-9]+)$`)
)

func parseCron(body string) error {
	fields := strings.Split(body, " ")
	if len(fields) != len(cronFields) {
		return fmt.Errorf("cron(%s) has %d fields; it needs 6 separated by single spaces: minutes hours day-of-month month day-of-week year", body, len(fields))
	}
	for i, f := range cronFields {
		if err := f.check(fields[i]); err != nil {
			return fmt.Errorf("cron(%s): %s %w", body, f.name, err)
		}
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return fmt.Errorf("cron(%s): exactly one of day-of-month and day-of-week must be ?", body)
	}
	return nil
}

func (f cronField) check(s string) error {
	items := strings.Split(s, ",")
	for _, it := range items {
		sole := func() error {
			if len(items) > 1 {
				return fmt.Errorf("%q cannot be part of a list", it)
			}
			return nil
		}
		switch {
		case it == "?" || it == "L" || (it == "LW" && f.kind == "dom"):
			if f.kind == "" {
				return fmt.Errorf("%q is only valid in day-of-month or day-of-week", it)
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		case f.kind == "dom" && cronNearestWeekdayRe.MatchString(it):
			if err := f.value(cronNearestWeekdayRe.FindStringSubmatch(it)[1]); err != nil {
				return err
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		case f.kind == "dow" && cronLastWeekdayRe.MatchString(it):
			if err := f.value(cronLastWeekdayRe.FindStringSubmatch(it)[1]); err != nil {
				return err
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		case f.kind == "dow" && cronNthWeekdayRe.MatchString(it):
			m := cronNthWeekdayRe.FindStringSubmatch(it)
			if err := f.value(m[1]); err != nil {
				return err
			}
			if n, _ := strconv.Atoi(m[2]); n < 1 || n > 5 {
				return fmt.Errorf("%q: the nth weekday must be 1..5", it)
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		}
		base, step, hasStep := strings.Cut(it, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > f.hi-f.lo+1 {
				return fmt.Errorf("%q: the increment must be 1..%d", it, f.hi-f.lo+1)
			}
		}
		switch lo, hi, isRange := strings.Cut(base, "-"); {
		case base == "*":
			if len(items) > 1 && !hasStep {
				return fmt.Errorf("%q cannot be part of a list", it)
			}
		case isRange:
			a, errA := f.number(lo)
			b, errB := f.number(hi)
			if errA != nil || errB != nil {
				return fmt.Errorf("%q is not a range of %d..%d", it, f.lo, f.hi)
			}
			if a > b {
				return fmt.Errorf("%q: the range runs backwards", it)
			}
		default:
			if err := f.value(base); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f cronField) value(s string) error {
	if _, err := f.number(s); err != nil {
		return err
	}
	return nil
}

// number parses a field value: digits within lo..hi, or a name.
func (f cronField) number(s string) (int, error) {
	for i, n := range f.names {
		if s == n {
			return f.lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || v < f.lo || v > f.hi {
		valid := fmt.Sprintf("%d..%d", f.lo, f.hi)
		if len(f.names) > 0 {
			valid += " or " + f.names[0] + "…" + f.names[len(f.names)-1]
		}
		return 0, fmt.Errorf("%q is not %s", s, valid)
	}
	return v, nil
}
