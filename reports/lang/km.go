package lang

import "golang.org/x/text/language"

// Khmer: ភាសាខ្មែរ.
func init() {
	set(language.Khmer, map[string]string{
		// Sheets
		"Summary": "សេចក្តីសង្ខេប", "By nationality": "តាមសញ្ជាតិ", "By country": "តាមប្រទេស", "Events": "ព្រឹត្តិការណ៍",
		"Task forces": "ក្រុមការងារ", "Trend": "និន្នាការ", "Revisions": "ការកែប្រែ", "Audit": "សវនកម្ម",
		// Types and qualifiers
		"Arrests": "ការចាប់ខ្លួន", "Repatriations": "ការបញ្ជូនត្រឡប់", "Rescues": "ការជួយសង្គ្រោះ", "Deaths": "ការស្លាប់",
		"Deportations":         "ការនិរទេស",
		"Task force announced": "ប្រកាសក្រុមការងារ", "Task force established": "បង្កើតក្រុមការងារ", "Task force dissolved": "រំលាយក្រុមការងារ",
		"Correction": "ការកែតម្រូវ", "Retraction": "ការដកហូត",
		"at least %s": "យ៉ាងហោចណាស់ %s", "about %s": "ប្រហែល %s", "at most %s": "យ៉ាងច្រើន %s",
		"announced": "បានប្រកាស", "established": "បានបង្កើត", "dissolved": "បានរំលាយ",
		"online scam": "ការបោកប្រាស់តាមអនឡាញ", "human trafficking": "ការជួញដូរមនុស្ស", "fraud": "ការក្លែងបន្លំ",
		// Calendar
		"January": "មករា", "February": "កុម្ភៈ", "March": "មីនា", "April": "មេសា", "May": "ឧសភា", "June": "មិថុនា",
		"July": "កក្កដា", "August": "សីហា", "September": "កញ្ញា", "October": "តុលា", "November": "វិច្ឆិកា", "December": "ធ្នូ",
		"%[1]s %[2]s":       "ខែ%[1]s ឆ្នាំ%[2]s",
		"%[1]s %[2]s %[3]s": "ថ្ងៃទី%[1]s ខែ%[2]s ឆ្នាំ%[3]s",
		"week of %s":        "សប្តាហ៍ចាប់ពី %s",
		// Headers
		"Type": "ប្រភេទ", "Incidents": "ចំនួនករណី", "Persons": "ចំនួនមនុស្ស", "Nationality": "សញ្ជាតិ",
		"Nationality code": "លេខកូដសញ្ជាតិ", "Country": "ប្រទេសកើតហេតុ", "Country code": "លេខកូដប្រទេស",
		"Date": "កាលបរិច្ឆេទ", "Location": "ទីកន្លែង", "Agencies": "ស្ថាប័ន", "Crime": "បទល្មើស", "Source": "ប្រភព",
		"Source URL": "URL ប្រភព", "Source published": "ថ្ងៃផ្សាយប្រភព", "Source title": "ចំណងជើងប្រភព",
		"Notes": "កំណត់ចំណាំ", "Corrections": "ការកែតម្រូវ", "ID": "ID", "Seq": "លំដាប់",
		"Last change seq": "លំដាប់កែចុងក្រោយ", "Name": "ឈ្មោះ", "Members": "ប្រទេសសមាជិក", "Purpose": "គោលបំណង",
		"Status": "ស្ថានភាព", "Announced": "ប្រកាស", "Established": "បង្កើត", "Dissolved": "រំលាយ",
		"Task force": "លេខសម្គាល់ក្រុមការងារ", "Month": "ខែ", "Sheet": "សន្លឹក", "Figure": "តួលេខ",
		"Published": "ពេលផ្សាយ", "Now": "បច្ចុប្បន្ន", "Changed by": "ផ្លាស់ប្តូរដោយ",
		// Fields, as corrections name them
		"date": "កាលបរិច្ឆេទ", "date_precision": "ភាពជាក់លាក់នៃកាលបរិច្ឆេទ", "count": "ចំនួន",
		"count_qualifier": "គុណនាមនៃចំនួន", "nationality": "សញ្ជាតិ", "country": "ប្រទេសកើតហេតុ", "location": "ទីកន្លែង",
		"agencies": "ស្ថាប័ន", "crime": "បទល្មើស", "source": "ប្រភព", "notes": "កំណត់ចំណាំ", "name": "ឈ្មោះ",
		"members": "ប្រទេសសមាជិក", "purpose": "គោលបំណង",
		// Title block and Audit
		"Ledger": "បញ្ជី", "Period": "រយៈពេល", "As of tree size": "គិតត្រឹមទំហំមែកធាង", "Root hash": "ហាស់ឫស",
		"Tree size": "ទំហំមែកធាង", "Last event recorded at": "ព្រឹត្តិការណ៍ចុងក្រោយបានកត់ត្រានៅ", "Report": "របាយការណ៍",
		"As of": "គិតត្រឹម", "statledger version": "កំណែ statledger", "Layout": "ទម្រង់", "Language": "ភាសា",
		"Verifier key": "សោផ្ទៀងផ្ទាត់", "Signed checkpoint": "ចំណុចត្រួតពិនិត្យដែលបានចុះហត្ថលេខា",
		"Cosigned checkpoint": "ចំណុចត្រួតពិនិត្យដែលបានចុះហត្ថលេខារួម", "Suppressed below": "កម្រិតមិនផ្សាយ",
		"How to verify": "របៀបផ្ទៀងផ្ទាត់",
		"statledger verify --report THIS-FILE rebuilds this workbook from the ledger and compares; an auditor without the ledger's signing key adds --key VERIFIER-KEY.": "statledger verify --report ឯកសារនេះ បង្កើតសៀវភៅនេះឡើងវិញពីបញ្ជី ហើយប្រៀបធៀប; សវនករដែលគ្មានសោចុះហត្ថលេខា បន្ថែម --key សោផ្ទៀងផ្ទាត់។",
		// Titles and notes
		"Monthly statistics, %s":                                              "ស្ថិតិប្រចាំខែ %s",
		"Law-enforcement statistics":                                          "ស្ថិតិអនុវត្តច្បាប់",
		"Persons by nationality, %s":                                          "ចំនួនមនុស្សតាមសញ្ជាតិ %s",
		"Persons by country where it happened, %s":                            "ចំនួនមនុស្សតាមប្រទេសកើតហេតុ %s",
		"Task forces as of the report":                                        "ក្រុមការងារគិតត្រឹមរបាយការណ៍",
		"Persons per month, %[1]s to %[2]s":                                   "ចំនួនមនុស្សប្រចាំខែ ពី %[1]s ដល់ %[2]s",
		"Persons per month by type":                                           "ចំនួនមនុស្សប្រចាំខែតាមប្រភេទ",
		"Figures revised since the report published for %s":                   "តួលេខដែលបានកែប្រែតាំងពីរបាយការណ៍ដែលបានផ្សាយសម្រាប់ %s",
		"Compared with":                                                       "ប្រៀបធៀបជាមួយ",
		"%[1]s, published at seq %[2]s (tree size %[3]s, SHA-256 %[4]s)":      "%[1]s បានផ្សាយនៅលំដាប់ %[2]s (ទំហំមែកធាង %[3]s, SHA-256 %[4]s)",
		"No report of this period has been published, so nothing is revised.": "មិនទាន់មានរបាយការណ៍នៃរយៈពេលនេះត្រូវបានផ្សាយទេ ដូច្នេះគ្មានអ្វីត្រូវកែប្រែ។",
		"No figure differs from the publication.":                             "គ្មានតួលេខណាខុសពីការផ្សាយទេ។",
		"No incident this month.":                                             "គ្មានករណីក្នុងខែនេះទេ។",
		"No task force is recorded.":                                          "គ្មានក្រុមការងារត្រូវបានកត់ត្រាទេ។",
		"Figures marked r differ from the report published for this period; each has a comment, and the Revisions sheet lists them.":                                                                                              "តួលេខដែលមានសញ្ញា r ខុសពីរបាយការណ៍ដែលបានផ្សាយសម្រាប់រយៈពេលនេះ; នីមួយៗមានមតិយោបល់ ហើយសន្លឹកការកែប្រែរាយវាទាំងអស់។",
		"x: withheld, a count of 1 to %[1]s persons, or a figure from which one could be worked out (disclosure control, threshold %[2]s).":                                                                                       "x: មិនផ្សាយ ចំនួនពី 1 ដល់ %[1]s នាក់ ឬតួលេខដែលអាចគណនារកវាបាន (ការគ្រប់គ្រងការបង្ហាញ កម្រិត %[2]s)។",
		"Persons are counted as the sources report them: \"at least 61\" is a lower bound, \"about 60\" an approximation. A person may appear under more than one type (arrested, then deported), so the types are not added up.": "ចំនួនមនុស្សរាប់តាមប្រភពរាយការណ៍: \"យ៉ាងហោចណាស់ 61\" ជាកម្រិតទាប \"ប្រហែល 60\" ជាតួលេខប្រហាក់ប្រហែល។ មនុស្សម្នាក់អាចលេចឡើងក្នុងប្រភេទច្រើន (ចាប់ខ្លួន រួចនិរទេស) ដូច្នេះប្រភេទទាំងនោះមិនត្រូវបូកបញ្ចូលគ្នាទេ។",
		"A person may appear under more than one type (arrested, then deported), so the types are not added up.":                                                                                                                  "មនុស្សម្នាក់អាចលេចឡើងក្នុងប្រភេទច្រើន (ចាប់ខ្លួន រួចនិរទេស) ដូច្នេះប្រភេទទាំងនោះមិនត្រូវបូកបញ្ចូលគ្នាទេ។",
		"The incidents of %s are not listed: some figures of the month are withheld, and the list would show them.":                                                                                                               "ករណីនៃ %s មិនត្រូវបានរាយទេ: តួលេខខ្លះនៃខែនេះមិនផ្សាយ ហើយបញ្ជីនឹងបង្ហាញវា។",
		// Revisions
		"%s: incidents":         "%s: ចំនួនករណី",
		"%s: persons":           "%s: ចំនួនមនុស្ស",
		"%[1]s, %[2]s: persons": "%[1]s, %[2]s: ចំនួនមនុស្ស",
		"%[1]s %[2]s: persons":  "%[1]s %[2]s: ចំនួនមនុស្ស",
		"%[1]s: %[2]s → %[3]s":  "%[1]s: %[2]s → %[3]s",
		"r: was %[1]s in the report published at tree size %[2]s on %[3]s, now %[4]s.": "r: ធ្លាប់ជា %[1]s ក្នុងរបាយការណ៍ដែលបានផ្សាយនៅទំហំមែកធាង %[2]s នៅ %[3]s ឥឡូវ %[4]s។",
		"Changed by:": "ផ្លាស់ប្តូរដោយ:",
		"correction %[1]s (seq %[2]s) of %[3]s: %[4]s; reason: %[5]s": "ការកែតម្រូវ %[1]s (លំដាប់ %[2]s) នៃ %[3]s: %[4]s; មូលហេតុ: %[5]s",
		"retraction %[1]s (seq %[2]s) of %[3]s: %[4]s":                "ការដកហូត %[1]s (លំដាប់ %[2]s) នៃ %[3]s: %[4]s",
		"new %[1]s %[2]s (seq %[3]s), recorded after the publication": "%[1]s ថ្មី %[2]s (លំដាប់ %[3]s) បានកត់ត្រាក្រោយការផ្សាយ",
		"not in the report":        "មិនមានក្នុងរបាយការណ៍",
		"seq %[1]s: %[2]s (%[3]s)": "លំដាប់ %[1]s: %[2]s (%[3]s)",
		// Footer
		"tree size %[1]s, root %[2]s": "ទំហំមែកធាង %[1]s ឫស %[2]s",
		"page &P of &N":               "ទំព័រ &P នៃ &N",
	})
}
