"""The shipped DOCX templates, built with python-docx: the same documents as the HTML
templates beside this module, with docxtpl's tags (``{%p if %}`` for a paragraph shown or
not, ``{%tr for %}`` for the rows of the services table)."""
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

CONTRACT_PARTY = (
    "{{ company.name }}, именуемое в дальнейшем «Исполнитель», от имени которого действует "
    "{{ company.signatory_title }} {{ company.signatory }} на основании {{ company.basis }}, с одной "
    "стороны, и "
    "{% if client.inn|length == 12 %}индивидуальный предприниматель {{ client.name }}, именуемый в "
    "дальнейшем "
    "«Заказчик», действующий на основании {{ client.basis or 'свидетельства о государственной регистрации' "
    "}},"
    "{% else %}{{ client.name }}, именуемое в дальнейшем «Заказчик», от имени которого действует "
    "{{ client.signatory_title }} {{ client.signatory }} на основании {{ client.basis or 'Устава' }},{% "
    "endif %} "
    "с другой стороны, вместе именуемые «Стороны», заключили настоящий договор (далее — Договор) "
    "о нижеследующем.")
CONTRACT_SECTIONS = (
    ("1. Предмет договора", (
        "1.1. Исполнитель обязуется по заданию Заказчика оказать услуги по подбору кредитного продукта, "
        "подготовке и сопровождению заявки Заказчика на получение кредита (займа) в кредитной организации "
        "(далее — Услуги), а Заказчик обязуется принять и оплатить Услуги.",
        ("deal.loan_amount",
         "1.2. Параметры финансирования, которое желает получить Заказчик: сумма {{ deal.loan_amount_text }}"
         "{% if deal.term_months %}, срок {{ deal.term_months }} мес.{% endif %}{% if deal.product %}, "
         "продукт: "
         "{{ deal.product }}{% endif %}{% if deal.purpose %}, цель: {{ deal.purpose }}{% endif %}. "
         "Окончательные условия определяются кредитной организацией."),
        "1.3. Исполнитель не является кредитной организацией. Решение о предоставлении кредита принимает "
        "кредитная организация; Исполнитель не гарантирует, что оно будет положительным.")),
    ("2. Права и обязанности сторон", (
        "2.1. Исполнитель обязуется: проанализировать финансовое положение Заказчика и представленные им "
        "документы; подобрать кредитные продукты, соответствующие потребностям Заказчика; подготовить пакет "
        "документов и заявку; сопровождать рассмотрение заявки до принятия кредитной организацией решения; "
        "информировать Заказчика о ходе оказания Услуг.",
        "2.2. Заказчик обязуется: предоставлять достоверные сведения и документы в согласованные сроки; "
        "своевременно отвечать на запросы Исполнителя и кредитной организации; принять оказанные Услуги и "
        "оплатить их в соответствии с разделом 3 Договора.",
        "2.3. Исполнитель вправе привлекать к оказанию Услуг третьих лиц, оставаясь ответственным за их "
        "действия перед Заказчиком.")),
    ("3. Стоимость услуг и порядок расчётов", (
        "3.1. {% if amount %}Стоимость Услуг составляет {{ amount_text }} ({{ amount_words }}).{% elif "
        "fee_percent %}"
        "Стоимость Услуг составляет {{ fee_percent }} % от суммы кредита (займа), фактически "
        "предоставленного "
        "Заказчику кредитной организацией.{% else %}Стоимость Услуг определяется дополнительным соглашением "
        "Сторон.{% endif %} {{ vat.line }}.",
        "3.2. Услуги считаются оказанными в день принятия кредитной организацией положительного решения "
        "о предоставлении Заказчику кредита (займа).",
        "3.3. Заказчик оплачивает Услуги в течение {{ company.payment_days }} банковских дней со дня "
        "подписания "
        "Сторонами акта об оказании услуг на основании счёта Исполнителя, перечислением денежных средств на "
        "расчётный счёт Исполнителя. Обязательство по оплате считается исполненным в день зачисления "
        "денежных "
        "средств на счёт Исполнителя.")),
    ("4. Сдача и приёмка услуг", (
        "4.1. В течение трёх рабочих дней после оказания Услуг Исполнитель направляет Заказчику акт об "
        "оказании "
        "услуг.",
        "4.2. Заказчик в течение пяти рабочих дней со дня получения акта подписывает его или направляет "
        "Исполнителю мотивированный отказ. Если в этот срок отказ не получен, Услуги считаются принятыми.")),
    ("5. Ответственность сторон", (
        "5.1. За неисполнение или ненадлежащее исполнение Договора Стороны отвечают в соответствии "
        "с законодательством Российской Федерации.",
        "5.2. Исполнитель не отвечает за отказ кредитной организации в предоставлении кредита, а также за "
        "последствия предоставления Заказчиком недостоверных сведений.")),
    ("6. Конфиденциальность", (
        "6.1. Стороны сохраняют в тайне сведения, полученные друг от друга при исполнении Договора, и "
        "раскрывают "
        "их третьим лицам только с согласия другой Стороны либо в случаях, установленных законом. "
        "Персональные "
        "данные обрабатываются в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных "
        "данных».",)),
    ("7. Срок действия и прочие условия", (
        "7.1. Договор вступает в силу со дня его подписания Сторонами и действует до полного исполнения ими "
        "своих обязательств.",
        "7.2. Споры Стороны решают переговорами, а при недостижении согласия — в Арбитражном суде по месту "
        "нахождения Исполнителя. Претензионный порядок обязателен, срок ответа на претензию — десять рабочих "
        "дней.",
        "7.3. Документы, подписанные усиленной квалифицированной электронной подписью и переданные через "
        "оператора электронного документооборота, равнозначны документам на бумажном носителе, подписанным "
        "собственноручно (Федеральный закон от 06.04.2011 № 63-ФЗ «Об электронной подписи»).{% if not edo %} "
        "Договор составлен в двух экземплярах, имеющих равную юридическую силу, по одному для каждой из "
        "Сторон.{% endif %}")),
)
COMPANY_BLOCK = (
    "Исполнитель\n{{ company.short_name }}\nИНН {{ company.inn }}{% if company.kpp %}, КПП {{ company.kpp }}"
    "{% endif %}\nОГРН {{ company.ogrn }}\nАдрес: {{ company.address }}\nР/с {{ company.account }}\n"
    "в {{ company.bank }}\nК/с {{ company.corr_account }}, БИК {{ company.bik }}"
    "{% if company.phone %}\nТел.: {{ company.phone }}{% endif %}{% if company.email %}\nE-mail: "
    "{{ company.email }}{% endif %}\n\n{{ company.signatory_title }}\n____________ / {{ "
    "company.signatory_short }} /\nМ.П.")
CLIENT_BLOCK = (
    "Заказчик\n{{ client.name }}\nИНН {{ client.inn }}{% if client.kpp %}, КПП {{ client.kpp }}{% endif %}"
    "{% if client.ogrn %}\nОГРН {{ client.ogrn }}{% endif %}{% if client.address %}\nАдрес: {{ "
    "client.address }}"
    "{% endif %}{% if client.account %}\nР/с {{ client.account }}\nв {{ client.bank }}\nК/с "
    "{{ client.corr_account }}, БИК {{ client.bik }}{% endif %}{% if client.phone %}\nТел.: {{ client.phone "
    "}}"
    "{% endif %}{% if client.email %}\nE-mail: {{ client.email }}{% endif %}\n\n{{ client.signatory_title "
    "}}\n"
    "____________ / {{ client.signatory_short }} /\nМ.П.")
PARTIES = (
    ("Исполнитель:", "{{ company.short_name }}, ИНН {{ company.inn }}{% if company.kpp %}, КПП {{ "
     "company.kpp }}"
                     "{% endif %}, {{ company.address }}"),
    ("Заказчик:", "{{ client.name }}, ИНН {{ client.inn }}{% if client.kpp %}, КПП {{ client.kpp }}{% endif "
     "%}"
                  "{% if client.address %}, {{ client.address }}{% endif %}"),
    ("{% if contract.number %}Основание:{% endif %}",
     "{% if contract.number %}Договор № {{ contract.number }}{% if contract.date %} от {{ contract.date_text "
     "}}"
     "{% endif %}{% endif %}"),
)
ITEM_HEADERS = ("№", "Наименование работ, услуг", "Кол-во", "Ед.", "Цена", "Сумма")
ITEM_CELLS = ("{{ line.n }}", "{{ line.name }}", "{{ line.quantity_text }}", "{{ line.unit }}",
              "{{ line.price_text }}", "{{ line.amount_text }}")
VAT_ROW = ("{% if vat.included %}В том числе НДС {{ vat.rate }} %:{% else %}{{ vat.line }}{% endif %}",
           "{% if vat.included %}{{ vat.amount|number }}{% else %}—{% endif %}")


def _document(font, size, margins):
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = font, Pt(size)
    style.paragraph_format.space_after = Pt(2)
    document.core_properties.title = "{{ title }} № {{ number }}"
    document.core_properties.author = "{{ company.short_name }}"
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        Mm(m) for m in margins)
    return document


def _paragraph(document, text, *, bold=False, size=None, align=WD_ALIGN_PARAGRAPH.JUSTIFY):
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return paragraph


def _save(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def contract():
    document = _document("Times New Roman", 11, (18, 15, 20, 25))
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "ДОГОВОР № {{ number }}", bold=True, size=13, align=center)
    _paragraph(document, "возмездного оказания услуг по сопровождению получения кредита", align=center)
    place = document.add_table(rows=1, cols=2)
    place.cell(0, 0).text = "{{ company.city }}"
    place.cell(0, 1).text = "{{ date_text }}"
    place.cell(0, 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(document, CONTRACT_PARTY)
    for heading, paragraphs in CONTRACT_SECTIONS:
        _paragraph(document, heading.upper(), bold=True, align=center)
        for text in paragraphs:
            if isinstance(text, tuple):       # a paragraph shown only when its field has a value
                condition, text = text
                _paragraph(document, f"{{%p if {condition} %}}")
                _paragraph(document, text)
                _paragraph(document, "{%p endif %}")
            else:
                _paragraph(document, text)
    _paragraph(document, "8. АДРЕСА, РЕКВИЗИТЫ И ПОДПИСИ СТОРОН", bold=True, align=center)
    parties = document.add_table(rows=1, cols=2)
    parties.cell(0, 0).text, parties.cell(0, 1).text = COMPANY_BLOCK, CLIENT_BLOCK
    return _save(document)


def _items(document, *, payable=False):
    table = document.add_table(rows=4, cols=len(ITEM_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, header in enumerate(ITEM_HEADERS):
        table.cell(0, index).text = header
        table.cell(0, index).paragraphs[0].runs[0].bold = True
        table.cell(2, index).text = ITEM_CELLS[index]
    table.cell(1, 0).text = "{%tr for line in services %}"
    table.cell(3, 0).text = "{%tr endfor %}"
    totals = document.add_table(rows=0, cols=2)
    totals.alignment = WD_TABLE_ALIGNMENT.RIGHT
    rows = (("Итого:", "{{ amount_number }}"), VAT_ROW)
    if payable:
        rows += (("Всего к оплате:", "{{ amount_number }}"),)
    for label, value in rows:
        cells = totals.add_row().cells
        cells[0].text, cells[1].text = label, value
        for cell in cells:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            cell.paragraphs[0].runs[0].bold = True


def _parties(document):
    table = document.add_table(rows=0, cols=2)
    for label, value in PARTIES:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].width, cells[1].width = Mm(30), Mm(145)


def act():
    document = _document("Arial", 10, (15, 15, 18, 20))
    _paragraph(document, "Акт № {{ number }} от {{ date_text }}", bold=True, size=13,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(document, "об оказании услуг", align=WD_ALIGN_PARAGRAPH.LEFT)
    _parties(document)
    _items(document)
    _paragraph(document, "Всего оказано услуг {{ services|length }}, на сумму {{ amount_text }}")
    _paragraph(document, "{{ amount_words }}", bold=True)
    _paragraph(document, "Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий "
                         "по объёму, "
                         "качеству и срокам оказания услуг не имеет.")
    signs = document.add_table(rows=1, cols=2)
    signs.cell(0, 0).text = ("ИСПОЛНИТЕЛЬ\n{{ company.signatory_title }} {{ company.short_name }}\n\n"
                             "____________ / {{ company.signatory_short }} /\nМ.П.")
    signs.cell(0, 1).text = ("ЗАКАЗЧИК\n{% if client.signatory_title %}{{ client.signatory_title }} "
                             "{% endif %}"
                             "{{ client.name }}\n\n____________ / {{ client.signatory_short }} /\nМ.П.")
    return _save(document)


def invoice():
    document = _document("Arial", 10, (12, 12, 15, 18))
    bank = document.add_table(rows=4, cols=4)
    bank.style = "Table Grid"
    top = bank.cell(0, 0).merge(bank.cell(1, 1))
    top.text = "{{ company.bank }}\nБанк получателя"
    bank.cell(0, 2).text, bank.cell(0, 3).text = "БИК", "{{ company.bik }}"
    bank.cell(1, 2).text, bank.cell(1, 3).text = "Сч. №", "{{ company.corr_account }}"
    bank.cell(2, 0).text, bank.cell(2, 1).text = "ИНН {{ company.inn }}", "КПП {{ company.kpp }}"
    bank.cell(3, 0).merge(bank.cell(3, 1)).text = "{{ company.short_name }}\nПолучатель"
    bank.cell(2, 2).merge(bank.cell(3, 2)).text = "Сч. №"
    bank.cell(2, 3).merge(bank.cell(3, 3)).text = "{{ company.account }}"
    _paragraph(document, "")
    _paragraph(document, "Счёт на оплату № {{ number }} от {{ date_text }}", bold=True, size=13,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    _parties(document)
    _items(document, payable=True)
    _paragraph(document, "Всего наименований {{ services|length }}, на сумму {{ amount_text }}")
    _paragraph(document, "{{ amount_words }}", bold=True)
    _paragraph(document, "Оплатить в течение {{ company.payment_days }} банковских дней. "
                         "В назначении платежа "
                         "укажите номер счёта.")
    _paragraph(document, "")
    _paragraph(document, "Руководитель ____________ / {{ company.signatory_short }} /")
    _paragraph(document, "{%p if company.accountant %}")
    _paragraph(document, "Главный бухгалтер ____________ / {{ company.accountant_short }} /")
    _paragraph(document, "{%p endif %}")
    return _save(document)


BUILDERS = {"contract": contract, "act": act, "invoice": invoice}
