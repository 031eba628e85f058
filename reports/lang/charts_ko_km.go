package lang

import "golang.org/x/text/language"

// The chart page's words, in Korean and Khmer.
func init() {
	set(language.Korean, map[string]string{
		"Save as image": "이미지로 저장", "Data view": "데이터 보기", "Data": "데이터", "Close": "닫기", "Refresh": "새로 고침",
		"Persons per month by incident type":              "사건 유형별 월별 인원",
		"stacked; ≥ at least, ≤ at most, ~ approximately": "누적; ≥ 이상, ≤ 이하, ~ 약",
		"Persons per month by nationality":                "국적별 월별 인원",
		"top %s and other; all incident types":            "상위 %s개국과 기타; 모든 사건 유형",
		"Cumulative arrests and repatriations":            "체포와 송환 누계",
		"running total over the period":                   "기간 중 누계",
		"announced → established → dissolved":             "발표 → 설치 → 해산",
		"Other": "기타",
		"; x: withheld (1 to %s persons, or would reveal such a figure)": "; x: 비공개 (1~%s명, 또는 그런 수치를 드러낼 수치)",
		"at least": "이상", "at most": "이하", "approximately": "약", "withheld": "비공개",
		"statledger charts: %[1]s, %[2]s to %[3]s":   "statledger 차트: %[1]s, %[2]s ~ %[3]s",
		"Law-enforcement statistics, %[1]s to %[2]s": "법 집행 통계, %[1]s ~ %[2]s",
		"The interactive charts need the ECharts library, which this page could not load (it is offline, and the library was not built into it). Every figure is in the tables below. For the charts, rebuild the page where ECharts is installed:": "대화형 차트에는 ECharts 라이브러리가 필요한데, 이 페이지는 그것을 불러오지 못했습니다(오프라인이며 라이브러리가 페이지에 들어 있지 않습니다). 모든 수치는 아래 표에 있습니다. 차트를 보려면 ECharts가 설치된 곳에서 페이지를 다시 만드십시오:",
		"%s: the figures": "%s: 수치",
		"Drawn by statledger %[1]s from the ledger %[2]s at tree size %[3]s, root":                                                                  "statledger %[1]s가 원장 %[2]s의 트리 크기 %[3]s에서 그림, 루트",
		"To check that these figures come from an unaltered history, ask the ledger's keeper for a signed checkpoint of at least this size and run": "이 수치가 변경되지 않은 이력에서 나왔는지 확인하려면 원장 관리자에게 이 크기 이상의 서명된 체크포인트를 받아 다음을 실행하십시오:",
		"the same ledger prefix gives a byte-identical page.":                                                                                       "같은 원장 접두부는 바이트 단위로 같은 페이지를 만듭니다.",
		"(empty ledger)": "(빈 원장)",
	})
	set(language.Khmer, map[string]string{
		"Save as image": "រក្សាទុកជារូបភាព", "Data view": "មើលទិន្នន័យ", "Data": "ទិន្នន័យ", "Close": "បិទ", "Refresh": "ផ្ទុកឡើងវិញ",
		"Persons per month by incident type":              "ចំនួនមនុស្សប្រចាំខែតាមប្រភេទករណី",
		"stacked; ≥ at least, ≤ at most, ~ approximately": "ជង់; ≥ យ៉ាងហោចណាស់, ≤ យ៉ាងច្រើន, ~ ប្រហែល",
		"Persons per month by nationality":                "ចំនួនមនុស្សប្រចាំខែតាមសញ្ជាតិ",
		"top %s and other; all incident types":            "%s ខាងលើ និងផ្សេងទៀត; គ្រប់ប្រភេទករណី",
		"Cumulative arrests and repatriations":            "ការចាប់ខ្លួន និងការបញ្ជូនត្រឡប់សរុបបន្តបន្ទាប់",
		"running total over the period":                   "សរុបបន្តបន្ទាប់ក្នុងរយៈពេល",
		"announced → established → dissolved":             "ប្រកាស → បង្កើត → រំលាយ",
		"Other": "ផ្សេងទៀត",
		"; x: withheld (1 to %s persons, or would reveal such a figure)": "; x: មិនផ្សាយ (1 ដល់ %s នាក់ ឬនឹងបង្ហាញតួលេខបែបនេះ)",
		"at least": "យ៉ាងហោចណាស់", "at most": "យ៉ាងច្រើន", "approximately": "ប្រហែល", "withheld": "មិនផ្សាយ",
		"statledger charts: %[1]s, %[2]s to %[3]s":   "គំនូសតាង statledger: %[1]s ពី %[2]s ដល់ %[3]s",
		"Law-enforcement statistics, %[1]s to %[2]s": "ស្ថិតិអនុវត្តច្បាប់ ពី %[1]s ដល់ %[2]s",
		"The interactive charts need the ECharts library, which this page could not load (it is offline, and the library was not built into it). Every figure is in the tables below. For the charts, rebuild the page where ECharts is installed:": "គំនូសតាងអន្តរកម្មត្រូវការបណ្ណាល័យ ECharts ដែលទំព័រនេះមិនអាចផ្ទុកបាន (វាគ្មានអ៊ីនធឺណិត ហើយបណ្ណាល័យមិនត្រូវបានបញ្ចូលក្នុងទំព័រ)។ តួលេខទាំងអស់មាននៅក្នុងតារាងខាងក្រោម។ ដើម្បីមើលគំនូសតាង សូមបង្កើតទំព័រឡើងវិញនៅកន្លែងដែលបានដំឡើង ECharts:",
		"%s: the figures": "%s: តួលេខ",
		"Drawn by statledger %[1]s from the ledger %[2]s at tree size %[3]s, root":                                                                  "គូរដោយ statledger %[1]s ពីបញ្ជី %[2]s នៅទំហំមែកធាង %[3]s ឫស",
		"To check that these figures come from an unaltered history, ask the ledger's keeper for a signed checkpoint of at least this size and run": "ដើម្បីពិនិត្យថាតួលេខទាំងនេះមកពីប្រវត្តិដែលមិនបានកែប្រែ សូមស្នើអ្នកថែរក្សាបញ្ជីនូវចំណុចត្រួតពិនិត្យដែលបានចុះហត្ថលេខាយ៉ាងហោចណាស់ទំហំនេះ ហើយដំណើរការ",
		"the same ledger prefix gives a byte-identical page.":                                                                                       "បុព្វបទបញ្ជីដូចគ្នាផ្តល់ទំព័រដូចគ្នាគ្រប់បៃ។",
		"(empty ledger)": "(បញ្ជីទទេ)",
	})
}
