// Package spelling finds the word a typo was meant as: a command, a flag, a
// column or a field, one or two letters away.
package spelling

import "strings"

// Closest is the name among names that typed is at most two edits from,
// letter case aside (the nearest; the first of equals), or "". Names of two
// letters or fewer are never suggested: every short typo is near them.
func Closest(typed string, names []string) string {
	best, bestEdits := "", 3
	t := strings.ToLower(typed)
	for _, n := range names {
		if len(n) <= 2 {
			continue
		}
		if e := Edits(t, strings.ToLower(n)); e < bestEdits {
			best, bestEdits = n, e
		}
	}
	return best
}

// Edits is the optimal-string-alignment distance between a and b: letters
// inserted, deleted or changed, and neighbours swapped (improt), each one.
func Edits(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
