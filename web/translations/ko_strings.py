"""Korean translations of the UI (source: English). `python -m web.translations.ko_strings` rewrites messages.po."""
from __future__ import annotations

KO: dict[str, str] = {
    "Recomputing matches in the background. The pairs update when it is done.":
        "매칭을 백그라운드에서 다시 계산하고 있습니다. 끝나면 매칭 목록이 갱신됩니다.",
    "Matching is being computed. Please try again in a moment.": "매칭을 계산하는 중입니다. 잠시 후 다시 시도해 주세요.",
    "The database is unavailable. Please try again in a moment.":
        "데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
    "Recomputing matches…": "매칭 다시 계산 중…",
    "Matching update queued…": "매칭 갱신 대기 중…",
    "Matching could not be updated; it will be retried.": "매칭을 갱신하지 못했습니다. 다시 시도합니다.",
    "Progress": "진행률",
    "Proposed": "제안됨", "Introduced": "소개됨", "Meeting": "미팅", "Contract": "계약", "Declined": "거절됨",
    "Pending": "대기 중", "Accepted": "수락함", "Active": "활성", "Rejected": "반려됨",
    "Manufacturer": "제조기업", "Supplier": "공급기업", "Administrator": "관리자", "Hub coordinator": "거점 코디네이터",
    "Company member": "기업 회원", "Not found": "찾을 수 없습니다",
    "You do not have access to this page.": "이 페이지에 접근할 권한이 없습니다.",
    "Only administrators can do this.": "관리자만 할 수 있습니다.",
    "Only hub coordinators can do this.": "거점 코디네이터만 할 수 있습니다.",
    "Only company members can do this.": "기업 회원만 할 수 있습니다.",
    "Only the two companies of a pair can do this.": "해당 매칭의 두 기업만 할 수 있습니다.",
    "This move is not allowed.": "허용되지 않는 단계 이동입니다.",
    "Both companies must accept the introduction first.": "두 기업이 먼저 소개를 수락해야 합니다.",
    "You have already answered.": "이미 응답했습니다.",
    "This pair is closed.": "종료된 매칭입니다.",
    "There is no introduction for this pair yet.": "아직 이 매칭에 대한 소개가 없습니다.",
    "The form expired. Please try again.": "양식이 만료되었습니다. 다시 시도해 주세요.",
    "Too many attempts. Please wait a minute.": "시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.",
    "Method not allowed": "허용되지 않는 요청입니다", "Bad request": "잘못된 요청입니다",
    "Please sign in.": "로그인해 주세요.", "required": "필수 항목입니다", "already registered": "이미 등록되어 있습니다",
    "This registration was rejected.": "이 등록은 반려되었습니다.",
    "Please sign in to continue.": "계속하려면 로그인해 주세요.",
    "Wrong e-mail or password.": "이메일 또는 비밀번호가 올바르지 않습니다.",
    "You are signed out.": "로그아웃되었습니다.",
    "Thank you. Your hub coordinator will review your registration.": "감사합니다. 거점 코디네이터가 등록을 검토합니다.",
    "Your API token was revoked.": "API 토큰이 폐기되었습니다.",
    "Your answer was saved.": "응답이 저장되었습니다.",
    "Your profile was saved.": "프로필이 저장되었습니다.",
    "You will receive the weekly digest.": "주간 요약 메일을 받게 됩니다.",
    "You will no longer receive the weekly digest.": "더 이상 주간 요약 메일을 받지 않습니다.",
    "%(pair)s moved to %(state)s.": "%(pair)s: %(state)s 단계로 이동했습니다.",
    "%(name)s: %(state)s": "%(name)s: %(state)s",
    "Matches recomputed: %(count)d pairs.": "매칭을 다시 계산했습니다: %(count)d쌍.",
    "Needs": "수요", "Requires ISMS-P or ISO 27001": "ISMS-P 또는 ISO 27001 필요", "Capabilities": "보유 역량",
    "Industries served": "주요 산업", "References": "수행 실적", "Score": "점수",
    "Which need matched which capability": "어떤 수요가 어떤 역량과 맞는지", "Need": "수요", "Capability": "역량",
    "Need priority": "수요 우선순위",
    "No need/capability evidence was stored for this pair.": "이 매칭에 저장된 수요·역량 근거가 없습니다.",
    "Knows the industry": "산업 경험 있음", "New to the industry": "산업 경험 없음", "Decline": "거절",
    "Company": "기업", "Company name": "기업명", "Working language": "업무 언어", "Detect from the text": "본문에서 자동 판별",
    "Employees": "직원 수", "Website": "웹사이트", "Contact e-mail": "담당자 이메일",
    "Shared with a partner only after both sides accept an introduction.": "양측이 소개를 수락한 뒤에만 상대 기업에 공개됩니다.",
    "One-line summary": "한 줄 소개", "Description": "상세 설명",
    "fill in if you are a manufacturer": "제조기업인 경우 입력", "Industry": "산업",
    "One need per line, the most important first (up to 10).": "한 줄에 하나씩, 가장 중요한 수요부터 (최대 10개).",
    "Propose only suppliers holding ISMS-P or ISO 27001": "ISMS-P 또는 ISO 27001 인증 보유 공급기업만 추천",
    "Confidential notes": "비공개 메모",
    "Shown to a supplier only after both sides accept an introduction.": "양측이 소개를 수락한 뒤에만 공급기업에 공개됩니다.",
    "fill in if you are a SW/AI supplier": "SW·AI 공급기업인 경우 입력",
    "One capability per line (up to 10).": "한 줄에 하나씩 (최대 10개).", "Certifications": "인증",
    "Comma-separated, e.g. ISMS-P, ISO 27001, GS인증": "쉼표로 구분, 예: ISMS-P, ISO 27001, GS인증",
    "Past projects, one per line.": "과거 프로젝트, 한 줄에 하나씩.",
    "Audit log": "감사 로그", "All hubs": "전체 거점", "Action": "작업", "All": "전체", "Filter": "필터 적용",
    "Time (UTC)": "시각 (UTC)", "Who": "수행자", "Hub": "거점", "Pair": "매칭", "Nothing recorded yet.": "아직 기록이 없습니다.",
    "Skip to content": "본문으로 건너뛰기", "Main": "주 메뉴", "Dashboard": "대시보드", "Pipeline": "파이프라인",
    "Supply gaps": "공급 공백", "Import": "가져오기", "Hubs": "거점", "Partners": "파트너", "Our profile": "기업 프로필",
    "Language": "언어", "Sign out": "로그아웃",
    "dxmatch · matching manufacturers with SW/AI suppliers for regional digital-innovation hubs":
        "dxmatch · 지역 디지털혁신거점을 위한 제조기업–SW·AI 공급기업 매칭",
    "Back to start": "처음으로", "Administration": "관리", "Companies": "기업", "Pairs": "매칭", "Links": "바로가기",
    "Account": "계정", "E-mail": "이메일", "Role": "역할", "Weekly digest": "주간 요약 메일",
    "You receive a weekly e-mail with new partners and pipeline changes.": "새 파트너와 파이프라인 변경 사항을 매주 이메일로 받고 있습니다.",
    "Unsubscribe": "구독 해지",
    "Get a weekly e-mail with new partners and pipeline changes.": "새 파트너와 파이프라인 변경 사항을 매주 이메일로 받아보세요.",
    "Subscribe": "구독", "API token": "API 토큰", "Use the JSON API with the header": "JSON API 호출 시 다음 헤더를 사용하세요:",
    "Your new token — copy it now, it is shown only once:": "새 토큰입니다. 한 번만 표시되니 지금 복사하세요:",
    "A token is active.": "활성 토큰이 있습니다.", "Replace token": "토큰 재발급", "Create token": "토큰 발급",
    "Revoke token": "토큰 폐기", "Sign in": "로그인", "Find the right digital partner": "꼭 맞는 디지털 전환 파트너를 찾으세요",
    "dxmatch proposes SW/AI suppliers for the needs of manufacturers in your hub, explains why, and introduces both sides only when both agree.":
        "dxmatch는 거점 제조기업의 수요에 맞는 SW·AI 공급기업을 근거와 함께 추천하고, 양측이 모두 동의할 때에만 서로를 소개합니다.",
    "Password": "비밀번호", "New company?": "처음 오셨나요?", "Register your company": "기업 등록",
    "Your hub coordinator reviews every registration before partners are proposed.": "파트너 추천 전에 거점 코디네이터가 모든 등록을 검토합니다.",
    "Please correct the highlighted fields.": "표시된 항목을 수정해 주세요.", "We are a": "기업 유형",
    "SW/AI supplier": "SW·AI 공급기업", "Your name": "담당자 이름", "Sign-in e-mail": "로그인 이메일", "Register": "등록하기",
    "Edit profile": "프로필 수정",
    "Your registration is waiting for the hub coordinator. Partners are proposed once it is approved.":
        "거점 코디네이터의 승인을 기다리고 있습니다. 승인되면 파트너가 추천됩니다.",
    "Your registration was not approved. Please contact your hub.": "등록이 승인되지 않았습니다. 거점에 문의해 주세요.",
    "Proposed partners": "추천 파트너", "Partner": "파트너", "Why": "추천 이유", "Status": "상태",
    "Your answer is needed": "응답 필요", "No partners proposed yet.": "아직 추천된 파트너가 없습니다.",
    "Breadcrumb": "현재 위치", "Match score": "매칭 점수", "Why this partner": "추천 근거", "Introduction": "소개",
    "Your hub coordinator has not introduced you yet. You will be asked to accept or decline.":
        "아직 거점 코디네이터가 소개하지 않았습니다. 소개되면 수락 여부를 묻습니다.",
    "Your answer": "우리 응답", "Their answer": "상대 응답", "Accept introduction": "소개 수락",
    "Contact and confidential details": "연락처 및 비공개 정보",
    "Both sides accepted — this view is recorded in the audit log.": "양측 수락 완료 — 이 열람은 감사 로그에 기록됩니다.",
    "Shown only after both companies accept the introduction.": "두 기업이 모두 소개를 수락한 뒤에만 표시됩니다.",
    "Partner profile": "파트너 프로필",
    "Write in Korean or English; partners see the text as you wrote it.": "한국어 또는 영어로 작성하세요. 파트너에게는 작성한 그대로 보입니다.",
    "Save profile": "프로필 저장", "You are unsubscribed from the weekly digest.": "주간 요약 메일 구독이 해지되었습니다.",
    "Stop the weekly digest for %(email)s?": "%(email)s 주소로 보내는 주간 요약 메일을 중단할까요?",
    "External id": "외부 ID", "Hub dashboard": "거점 대시보드", "Recompute matches": "매칭 다시 계산", "Counts": "현황",
    "Manufacturers": "제조기업", "Suppliers": "공급기업", "Proposed pairs": "매칭 후보", "Registrations to review": "검토할 등록",
    "Type": "유형", "Registered": "등록일", "Actions": "작업", "Approve": "승인", "Reject": "반려", "Best pairs": "우수 매칭",
    "Open the pipeline board": "파이프라인 보드 열기", "Filter pairs": "매칭 필터", "Certification": "인증",
    "Supplier language": "공급기업 언어", "Minimum score": "최소 점수", "Reset": "초기화", "with": "와(과)",
    "Explanation": "추천 근거", "Details and history": "상세 및 이력", "No pairs match these filters.": "조건에 맞는 매칭이 없습니다.",
    "No companies yet. Import a file or invite companies to register.": "아직 기업이 없습니다. 파일을 가져오거나 기업에 등록을 안내하세요.",
    "Needs of this hub’s manufacturers that no supplier covers well (best need score below the threshold, or no match at all).":
        "이 거점 제조기업의 수요 중 충분히 대응하는 공급기업이 없는 것들입니다 (최고 수요 점수가 기준 미만이거나 매칭 없음).",
    "Threshold": "기준 점수", "Apply": "적용", "Unmet needs by theme": "주제별 미충족 수요", "Details": "상세",
    "Theme": "주제", "Examples": "예시", "no match": "매칭 없음", "No supply gaps at this threshold.": "이 기준에서는 공급 공백이 없습니다.",
    "Import companies": "기업 가져오기",
    "Upload a JSONL or CSV file in the profile format. Valid lines are loaded; every broken line is listed with its field and reason.":
        "프로필 형식의 JSONL 또는 CSV 파일을 올리세요. 올바른 줄은 반영되고, 오류가 있는 줄은 항목과 사유가 표시됩니다.",
    "File (.jsonl or .csv)": "파일 (.jsonl 또는 .csv)", "Result": "결과", "Loaded": "반영",
    "Line": "줄", "Field": "항목", "Reason": "사유",
    "Rank %(rank)d for the manufacturer": "제조기업 기준 %(rank)d위", "Not introduced yet.": "아직 소개되지 않았습니다.",
    "History": "이력", "system": "시스템", "No moves yet.": "아직 이동 기록이 없습니다.", "Empty": "없음",
    "and %(n)d more": "외 %(n)d건",
    "Security certification: %(certs)s": "보안 인증: %(certs)s", "No security certification": "보안 인증 없음",
    "Serves %(industry)s": "%(industry)s 산업 경험",
    "Viewed confidential details": "비공개 정보 열람", "Moved in the pipeline": "파이프라인 단계 이동",
    "Accepted an introduction": "소개 수락", "Declined an introduction": "소개 거절", "Registered a company": "기업 등록",
    "Approved a company": "기업 승인", "Rejected a company": "기업 반려", "Edited a profile": "프로필 수정",
    "Imported companies": "기업 가져오기", "Recomputed matches": "매칭 재계산", "Created an API token": "API 토큰 발급",
    "Revoked an API token": "API 토큰 폐기", "Subscribed to the digest": "주간 요약 구독",
    "Unsubscribed from the digest": "주간 요약 구독 해지",
    "Created an account": "계정 생성", "Changed a password": "비밀번호 변경", "Reactivated an account": "계정 재활성화",
    "Deactivated an account": "계정 비활성화", "Improved": "적합도 상승",
    "Score before the last recompute: %(was)d": "직전 재계산 전 점수: %(was)d",
    "Search": "검색", "Search companies": "기업 검색", "What are you looking for?": "무엇을 찾으세요?",
    "Describe a need or a capability in your own words, in Korean or English: suppliers come from every cluster, "
    "manufacturers from this hub.": "필요한 기술이나 역량을 한국어 또는 영어로 자유롭게 적어 보세요. 공급기업은 모든 "
    "클러스터에서, 제조기업은 이 거점에서 찾습니다.",
    "e.g. 용접 비드 외관 검사 / predictive maintenance for presses": "예: 용접 비드 외관 검사 / predictive maintenance for presses",
    "Find": "찾을 대상", "Suppliers that can do it": "할 수 있는 공급기업", "Manufacturers that need it": "필요로 하는 제조기업",
    "Results": "결과", "Nothing found.": "찾은 기업이 없습니다.",
    "The request contains a character that is not allowed (NUL).": "요청에 허용되지 않는 문자(NUL)가 있습니다.",
    "The request body is not valid JSON.": "요청 본문이 올바른 JSON이 아닙니다.",
    "The JSON body is nested too deeply.": "JSON 본문의 중첩이 너무 깊습니다.",
    "The request contains text that is not valid Unicode.": "요청에 올바른 유니코드가 아닌 텍스트가 있습니다.",
    "not your hub": "담당 거점이 아닙니다", "belongs to another hub": "다른 거점의 기업입니다",
    "use a .jsonl or .csv file": ".jsonl 또는 .csv 파일을 올려 주세요",
    "not UTF-8 text (save the file as UTF-8)": "UTF-8 텍스트가 아닙니다 (UTF-8로 저장해 주세요)",
    "nested too deeply": "중첩이 너무 깊습니다", "this row cannot be read as CSV": "이 행은 CSV로 읽을 수 없습니다",
    "a cell is longer than the CSV limit (131,072 characters)": "셀 하나가 CSV 한도(131,072자)보다 깁니다",
    "The file has more than %(n)s lines. Upload at most %(n)s lines at a time, or ask an administrator to use the "
    "dxmatch import command.": "파일이 %(n)s줄을 넘습니다. 한 번에 최대 %(n)s줄까지 올리거나, 관리자에게 dxmatch import 명령 "
    "사용을 요청하세요.",
    "must not contain control characters (such as NUL)": "제어 문자(NUL 등)를 넣을 수 없습니다",
    "must contain visible characters, not only blank or invisible ones": "공백이나 보이지 않는 문자만으로는 안 됩니다. 보이는 글자를 넣어 주세요",
    "Ask for a new link": "새 링크 요청하기",
    "At least 12 characters.": "12자 이상이어야 합니다.",
    "At least 12 characters; a passphrase of several words is easiest to remember.":
        "12자 이상이어야 합니다. 여러 단어로 된 문장이 기억하기 가장 쉽습니다.",
    "At most 128 characters.": "128자 이하여야 합니다.",
    "Change password": "비밀번호 변경",
    "Choose a new password": "새 비밀번호 정하기",
    "Current password": "현재 비밀번호",
    "Enter the e-mail address of your account. We will send it a link to choose a new password.":
        "계정의 이메일 주소를 입력하세요. 새 비밀번호를 정할 수 있는 링크를 보내 드립니다.",
    "Forgot your password?": "비밀번호를 잊으셨나요?",
    "If an account uses this address, we sent it a link to choose a new password. The link works once, for one hour.":
        "이 주소를 쓰는 계정이 있다면 새 비밀번호를 정할 링크를 보냈습니다. 링크는 1시간 동안 한 번만 쓸 수 있습니다.",
    "New password": "새 비밀번호",
    "New password again": "새 비밀번호 확인",
    "Not a valid e-mail address (one address, like name@example.com).":
        "올바른 이메일 주소가 아닙니다 (name@example.com 처럼 주소 하나만 적어 주세요).",
    "Send the link": "링크 보내기",
    "Thank you. We sent you an e-mail; sign in to follow your registration, which your hub coordinator will review.":
        "감사합니다. 이메일을 보냈습니다. 로그인하면 거점 코디네이터의 등록 검토 상황을 볼 수 있습니다.",
    "The current password is wrong.": "현재 비밀번호가 올바르지 않습니다.",
    "The password must not contain your e-mail address.": "비밀번호에 이메일 주소를 넣을 수 없습니다.",
    "The two passwords do not match.": "두 비밀번호가 서로 다릅니다.",
    "This link is invalid, used or expired.": "잘못되었거나 이미 사용했거나 만료된 링크입니다.",
    "This password is too common; choose a less guessable one.": "너무 흔한 비밀번호입니다. 추측하기 어려운 비밀번호를 정해 주세요.",
    "Your other sessions will be signed out.": "다른 기기의 로그인은 종료됩니다.",
    "Your password was changed. Other sessions were signed out.": "비밀번호가 변경되었습니다. 다른 기기의 로그인은 모두 종료되었습니다.",
    "Your password was changed. Please sign in.": "비밀번호가 변경되었습니다. 다시 로그인해 주세요.",
    "Signed in": "로그인", "Signed out": "로그아웃", "Asked for a password reset": "비밀번호 재설정 요청",
    "Previous": "이전", "Next": "다음", "%(first)d–%(last)d of %(total)d": "전체 %(total)d건 중 %(first)d–%(last)d",
    "Pages of pairs": "매칭 목록 페이지", "Pages of companies": "기업 목록 페이지", "Pages of partners": "파트너 목록 페이지",
    "Pages of %(state)s": "%(state)s 목록 페이지",
}


def write_po() -> None:
    """Rebuild ko/LC_MESSAGES/messages.po from messages.pot and KO (run after `pybabel extract`)."""
    from pathlib import Path

    from babel.messages.pofile import read_po, write_po as _write

    here = Path(__file__).parent
    with open(here / "messages.pot", "rb") as fh:
        catalog = read_po(fh, locale="ko")
    catalog.fuzzy = False
    missing = []
    for message in catalog:
        if message.id:
            message.string = KO.get(message.id, "")
            if not message.string:
                missing.append(message.id)
    target = here / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.po", "wb") as fh:
        _write(fh, catalog, width=120)
    if missing:
        raise SystemExit(f"untranslated: {missing}")


if __name__ == "__main__":
    write_po()
