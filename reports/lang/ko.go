package lang

import "golang.org/x/text/language"

// Korean: 한국어.
func init() {
	set(language.Korean, map[string]string{
		// Sheets
		"Summary": "요약", "By nationality": "국적별", "By country": "발생 국가별", "Events": "사건 목록",
		"Task forces": "전담반", "Trend": "추이", "Revisions": "수정 내역", "Audit": "감사",
		// Types and qualifiers
		"Arrests": "체포", "Repatriations": "송환", "Rescues": "구조", "Deaths": "사망", "Deportations": "추방",
		"Task force announced": "전담반 발표", "Task force established": "전담반 설치", "Task force dissolved": "전담반 해산",
		"Correction": "정정", "Retraction": "철회",
		"at least %s": "%s 이상", "about %s": "약 %s", "at most %s": "%s 이하",
		"announced": "발표됨", "established": "설치됨", "dissolved": "해산됨",
		"online scam": "온라인 사기", "human trafficking": "인신매매", "fraud": "사기",
		// Calendar
		"January": "1월", "February": "2월", "March": "3월", "April": "4월", "May": "5월", "June": "6월",
		"July": "7월", "August": "8월", "September": "9월", "October": "10월", "November": "11월", "December": "12월",
		"%[1]s %[2]s":       "%[2]s년 %[1]s",
		"%[1]s %[2]s %[3]s": "%[3]s년 %[2]s %[1]s일",
		"week of %s":        "%s부터 한 주",
		// Headers
		"Type": "유형", "Incidents": "건수", "Persons": "인원", "Nationality": "국적", "Nationality code": "국적 코드",
		"Country": "발생 국가", "Country code": "국가 코드", "Date": "날짜", "Location": "장소", "Agencies": "기관",
		"Crime": "범죄", "Source": "출처", "Source URL": "출처 URL", "Source published": "출처 게시일",
		"Source title": "출처 제목", "Notes": "비고", "Corrections": "정정 내역", "ID": "ID", "Seq": "순번",
		"Last change seq": "최종 변경 순번", "Name": "이름", "Members": "참여국", "Purpose": "목적", "Status": "상태",
		"Announced": "발표", "Established": "설치", "Dissolved": "해산", "Task force": "전담반 식별자", "Month": "월",
		"Sheet": "시트", "Figure": "수치", "Published": "공표 당시", "Now": "현재", "Changed by": "변경 근거",
		// Fields, as corrections name them
		"date": "날짜", "date_precision": "날짜 정밀도", "count": "인원", "count_qualifier": "인원 한정어",
		"nationality": "국적", "country": "발생 국가", "location": "장소", "agencies": "기관", "crime": "범죄",
		"source": "출처", "notes": "비고", "name": "이름", "members": "참여국", "purpose": "목적",
		// Title block and Audit
		"Ledger": "원장", "Period": "기간", "As of tree size": "기준 트리 크기", "Root hash": "루트 해시",
		"Tree size": "트리 크기", "Last event recorded at": "마지막 기록 시각", "Report": "보고서", "As of": "기준",
		"statledger version": "statledger 버전", "Layout": "양식", "Language": "언어", "Verifier key": "검증 키",
		"Signed checkpoint": "서명된 체크포인트", "Cosigned checkpoint": "공동 서명된 체크포인트",
		"Suppressed below": "비공개 기준", "How to verify": "검증 방법",
		"statledger verify --report THIS-FILE rebuilds this workbook from the ledger and compares; an auditor without the ledger's signing key adds --key VERIFIER-KEY.": "statledger verify --report 이-파일 은 원장에서 이 통합 문서를 다시 만들어 비교합니다. 원장의 서명 키가 없는 감사인은 --key 검증-키 를 덧붙입니다.",
		// Titles and notes
		"Monthly statistics, %s":                                              "월간 통계, %s",
		"Law-enforcement statistics":                                          "법 집행 통계",
		"Persons by nationality, %s":                                          "국적별 인원, %s",
		"Persons by country where it happened, %s":                            "발생 국가별 인원, %s",
		"Task forces as of the report":                                        "보고 시점의 전담반",
		"Persons per month, %[1]s to %[2]s":                                   "월별 인원, %[1]s ~ %[2]s",
		"Persons per month by type":                                           "유형별 월별 인원",
		"Figures revised since the report published for %s":                   "%s 공표 보고서 이후 수정된 수치",
		"Compared with":                                                       "비교 대상",
		"%[1]s, published at seq %[2]s (tree size %[3]s, SHA-256 %[4]s)":      "%[1]s, 순번 %[2]s에 공표 (트리 크기 %[3]s, SHA-256 %[4]s)",
		"No report of this period has been published, so nothing is revised.": "이 기간의 보고서는 공표된 적이 없어 수정된 수치가 없습니다.",
		"No figure differs from the publication.":                             "공표된 수치와 다른 수치가 없습니다.",
		"No incident this month.":                                             "이번 달에는 사건이 없습니다.",
		"No task force is recorded.":                                          "기록된 전담반이 없습니다.",
		"Figures marked r differ from the report published for this period; each has a comment, and the Revisions sheet lists them.":                                                                                              "r 표시 수치는 이 기간의 공표 보고서와 다릅니다. 각 수치에 메모가 있으며 수정 내역 시트에 모두 나와 있습니다.",
		"x: withheld, a count of 1 to %[1]s persons, or a figure from which one could be worked out (disclosure control, threshold %[2]s).":                                                                                       "x: 비공개. 1~%[1]s명의 수치이거나 그런 수치를 계산해 낼 수 있는 수치입니다 (공개 통제, 기준 %[2]s).",
		"Persons are counted as the sources report them: \"at least 61\" is a lower bound, \"about 60\" an approximation. A person may appear under more than one type (arrested, then deported), so the types are not added up.": "인원은 출처가 보도한 대로 셉니다. \"61 이상\"은 하한, \"약 60\"은 근사치입니다. 한 사람이 여러 유형에 나타날 수 있으므로(체포 후 추방) 유형을 합산하지 않습니다.",
		"A person may appear under more than one type (arrested, then deported), so the types are not added up.":                                                                                                                  "한 사람이 여러 유형에 나타날 수 있으므로(체포 후 추방) 유형을 합산하지 않습니다.",
		"The incidents of %s are not listed: some figures of the month are withheld, and the list would show them.":                                                                                                               "%s의 사건은 나열하지 않습니다. 이 달의 일부 수치가 비공개이며 목록이 그것을 드러내기 때문입니다.",
		// Revisions
		"%s: incidents":         "%s: 건수",
		"%s: persons":           "%s: 인원",
		"%[1]s, %[2]s: persons": "%[1]s, %[2]s: 인원",
		"%[1]s %[2]s: persons":  "%[1]s %[2]s: 인원",
		"%[1]s: %[2]s → %[3]s":  "%[1]s: %[2]s → %[3]s",
		"r: was %[1]s in the report published at tree size %[2]s on %[3]s, now %[4]s.": "r: %[3]s 트리 크기 %[2]s에서 공표된 보고서에서는 %[1]s, 현재 %[4]s.",
		"Changed by:": "변경 근거:",
		"correction %[1]s (seq %[2]s) of %[3]s: %[4]s; reason: %[5]s": "정정 %[1]s (순번 %[2]s), 대상 %[3]s: %[4]s; 사유: %[5]s",
		"retraction %[1]s (seq %[2]s) of %[3]s: %[4]s":                "철회 %[1]s (순번 %[2]s), 대상 %[3]s: %[4]s",
		"new %[1]s %[2]s (seq %[3]s), recorded after the publication": "공표 후 기록된 새 %[1]s %[2]s (순번 %[3]s)",
		"not in the report":        "보고서에 없음",
		"seq %[1]s: %[2]s (%[3]s)": "순번 %[1]s: %[2]s (%[3]s)",
		// Footer
		"tree size %[1]s, root %[2]s": "트리 크기 %[1]s, 루트 %[2]s",
		"page &P of &N":               "&P / &N 쪽",
	})
}
