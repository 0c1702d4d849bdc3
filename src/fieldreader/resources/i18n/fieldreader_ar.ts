<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar" sourcelanguage="en">
<context>
    <name>ChangePassphraseDialog</name>
    <message>
        <source>Change passphrase</source>
        <translation>تغيير عبارة المرور</translation>
    </message>
    <message>
        <source>Change your passphrase</source>
        <translation>غيّر عبارة مرورك</translation>
    </message>
    <message>
        <source>Current passphrase</source>
        <translation>عبارة المرور الحالية</translation>
    </message>
    <message>
        <source>New passphrase</source>
        <translation>عبارة المرور الجديدة</translation>
    </message>
    <message>
        <source>Repeat the new passphrase</source>
        <translation>كرّر عبارة المرور الجديدة</translation>
    </message>
    <message>
        <source>&amp;Current passphrase:</source>
        <translation>عبارة المرور ال&amp;حالية:</translation>
    </message>
    <message>
        <source>&amp;New passphrase:</source>
        <translation>عبارة المرور ال&amp;جديدة:</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>&amp;كرّرها:</translation>
    </message>
    <message>
        <source>Passphrase strength</source>
        <translation>قوة عبارة المرور</translation>
    </message>
    <message>
        <source>Only the key that unlocks the library is sealed again, so this takes a moment whatever the size of the library. The old passphrase stops working.</source>
        <translation>يُعاد ختم المفتاح الذي يفتح المكتبة فقط، لذا يستغرق ذلك لحظة مهما كان حجم المكتبة. وتتوقف عبارة المرور القديمة عن العمل.</translation>
    </message>
    <message>
        <source>Changing the passphrase</source>
        <translation>جارٍ تغيير عبارة المرور</translation>
    </message>
    <message>
        <source>C&amp;hange passphrase</source>
        <translation>&amp;غيّر عبارة المرور</translation>
    </message>
    <message>
        <source>Type your current passphrase.</source>
        <translation>اكتب عبارة مرورك الحالية.</translation>
    </message>
    <message>
        <source>The new passphrase needs at least %1 characters.</source>
        <translation>يجب أن تتكون عبارة المرور الجديدة من %1 أحرف على الأقل.</translation>
    </message>
    <message>
        <source>The two new passphrases are not the same.</source>
        <translation>عبارتا المرور الجديدتان غير متطابقتين.</translation>
    </message>
    <message>
        <source>The new passphrase is the same as the current one.</source>
        <translation>عبارة المرور الجديدة هي نفسها الحالية.</translation>
    </message>
</context>
<context>
    <name>ContactCard</name>
    <message>
        <source>Phone</source>
        <translation>الهاتف</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>البريد الإلكتروني</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>العنوان</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>بطاقة جهة الاتصال</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>منظمة</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>شخص</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <source>Copy %1</source>
        <translation>نسخ %1</translation>
    </message>
</context>
<context>
    <name>ExportNotesDialog</name>
    <message>
        <source>Export notes</source>
        <translation>تصدير الملاحظات</translation>
    </message>
    <message>
        <source>Write every note to a file, to keep or to move to another computer.</source>
        <translation>تُكتب كل ملاحظاتك في ملف، لتحتفظ بها أو تنقلها إلى حاسوب آخر.</translation>
    </message>
    <message>
        <source>Export message</source>
        <translation>رسالة التصدير</translation>
    </message>
    <message>
        <source>&amp;Encrypted notes file (recommended)</source>
        <translation>ملف ملاحظات م&amp;شفّر (مستحسن)</translation>
    </message>
    <message>
        <source>Encrypted notes file</source>
        <translation>ملف ملاحظات مشفّر</translation>
    </message>
    <message>
        <source>&amp;Markdown file, not encrypted</source>
        <translation>ملف Markdown &amp;غير مشفّر</translation>
    </message>
    <message>
        <source>Markdown file, not encrypted</source>
        <translation>ملف Markdown غير مشفّر</translation>
    </message>
    <message>
        <source>Passphrase for the notes file</source>
        <translation>عبارة المرور لملف الملاحظات</translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>عبارة المرور مرة أخرى</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;عبارة المرور</translation>
    </message>
    <message>
        <source>&amp;Again</source>
        <translation>&amp;مرة أخرى</translation>
    </message>
    <message>
        <source>Whoever imports the file will need this passphrase. It can differ from your library&apos;s.</source>
        <translation>سيحتاج من يستورد الملف إلى عبارة المرور هذه. ويمكن أن تختلف عن عبارة مرور مكتبتك.</translation>
    </message>
    <message>
        <source>This file is not encrypted: anyone who gets this computer or the file can read your notes.</source>
        <translation>هذا الملف غير مشفّر: يستطيع كل من يصل إلى هذا الحاسوب أو إلى الملف أن يقرأ ملاحظاتك.</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>تحذير</translation>
    </message>
    <message>
        <source>&amp;Choose file and export…</source>
        <translation>ا&amp;ختر ملفًا وصدِّر…</translation>
    </message>
    <message>
        <source>Choose a file and export</source>
        <translation>اختر ملفًا وصدِّر</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>إغلاق</translation>
    </message>
    <message>
        <source>Markdown files (*.md)</source>
        <translation>ملفات Markdown (*.md)</translation>
    </message>
    <message>
        <source>fieldreader files (*.frb)</source>
        <translation>ملفات fieldreader (*.frb)</translation>
    </message>
    <message>
        <source>Export notes to</source>
        <translation>تصدير الملاحظات إلى</translation>
    </message>
    <message numerus="yes">
        <source>%n note(s) exported to %1.</source>
        <translation>
            <numerusform>لم تُصدَّر أي ملاحظة إلى %1.</numerusform>
            <numerusform>صُدِّرت ملاحظة واحدة إلى %1.</numerusform>
            <numerusform>صُدِّرت ملاحظتان إلى %1.</numerusform>
            <numerusform>صُدِّرت %n ملاحظات إلى %1.</numerusform>
            <numerusform>صُدِّرت %n ملاحظة إلى %1.</numerusform>
            <numerusform>صُدِّرت %n ملاحظة إلى %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing was exported: %1</source>
        <translation>لم يُصدَّر شيء: %1</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>العبارتان مختلفتان.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>جارٍ التصدير…</translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Set up fieldreader</source>
        <translation>إعداد fieldreader</translation>
    </message>
    <message>
        <source>Everything you read and write here is kept encrypted on this computer. Choose a passphrase to protect it.</source>
        <translation>كل ما تقرؤه وتكتبه هنا يُحفظ مشفّرًا على هذا الحاسوب. اختر عبارة مرور لحمايته.</translation>
    </message>
    <message>
        <source>Setting up</source>
        <translation>جارٍ الإعداد</translation>
    </message>
    <message>
        <source>&amp;Create library</source>
        <translation>&amp;أنشئ المكتبة</translation>
    </message>
    <message>
        <source>New passphrase</source>
        <translation>عبارة المرور الجديدة</translation>
    </message>
    <message>
        <source>Repeat the passphrase</source>
        <translation>أعد كتابة عبارة المرور</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>عبارة المرو&amp;ر:</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>&amp;تكرارها:</translation>
    </message>
    <message>
        <source>Passphrase strength</source>
        <translation>قوة عبارة المرور</translation>
    </message>
    <message>
        <source>Nobody can recover a forgotten passphrase, not even your trainer: without it, the library cannot be opened. Several unrelated words are easy to remember and hard to guess.</source>
        <translation>لا يستطيع أحدٌ استعادة عبارة مرور منسيّة، ولا حتى مدرّبك: فمن دونها لا يمكن فتح المكتبة. بضع كلمات لا رابط بينها سهلةُ التذكّر وصعبةُ التخمين.</translation>
    </message>
    <message>
        <source>Add a &amp;duress passphrase</source>
        <translation>أضف عبارة مرور لحالات الإ&amp;كراه</translation>
    </message>
    <message>
        <source>If you are forced to unlock, type this one instead: it silently erases the library and opens an empty one.</source>
        <translation>إذا أُجبرت على فتح المكتبة فاكتب هذه العبارة بدلًا من عبارتك: فهي تمسح المكتبة بصمت وتفتح مكتبة فارغة.</translation>
    </message>
    <message>
        <source>Duress passphrase</source>
        <translation>عبارة مرور الإكراه</translation>
    </message>
    <message>
        <source>&amp;Erase the library after</source>
        <translation>امس&amp;ح المكتبة بعد</translation>
    </message>
    <message>
        <source> failed unlocks</source>
        <translation> محاولات فتح فاشلة</translation>
    </message>
    <message>
        <source>Failed unlocks before erasing</source>
        <translation>عدد محاولات الفتح الفاشلة قبل المسح</translation>
    </message>
    <message>
        <source>Import the library your trainer prepared</source>
        <translation>استورد المكتبة التي أعدّها مدرّبك</translation>
    </message>
    <message>
        <source>Start with the sample library</source>
        <translation>ابدأ بالمكتبة النموذجية</translation>
    </message>
    <message>
        <source>Start with an empty library</source>
        <translation>ابدأ بمكتبة فارغة</translation>
    </message>
    <message>
        <source>This copy of fieldreader has no preloaded library.</source>
        <translation>لا تتضمن هذه النسخة من fieldreader مكتبة محمّلة مسبقًا.</translation>
    </message>
    <message>
        <source>Very weak</source>
        <translation>ضعيفة جدًا</translation>
    </message>
    <message>
        <source>Weak</source>
        <translation>ضعيفة</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>مقبولة</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>جيدة</translation>
    </message>
    <message>
        <source>Strong</source>
        <translation>قوية</translation>
    </message>
    <message>
        <source>Strength: %1</source>
        <translation>القوة: %1</translation>
    </message>
    <message>
        <source>The passphrase needs at least %1 characters.</source>
        <translation>يجب أن تتكون عبارة المرور من %1 أحرف على الأقل.</translation>
    </message>
    <message>
        <source>The two passphrases are not the same.</source>
        <translation>العبارتان غير متطابقتين.</translation>
    </message>
    <message>
        <source>The duress passphrase needs at least %1 characters.</source>
        <translation>يجب أن تتكون عبارة مرور الإكراه من %1 أحرف على الأقل.</translation>
    </message>
    <message>
        <source>The duress passphrase must differ from your passphrase.</source>
        <translation>يجب أن تختلف عبارة مرور الإكراه عن عبارة مرورك.</translation>
    </message>
    <message>
        <source>Protecting your library…</source>
        <translation>جارٍ حماية مكتبتك…</translation>
    </message>
    <message>
        <source>Adding the duress passphrase…</source>
        <translation>جارٍ إضافة عبارة مرور الإكراه…</translation>
    </message>
    <message>
        <source>Checking the library&apos;s signatures…</source>
        <translation>جارٍ التحقق من تواقيع المكتبة…</translation>
    </message>
    <message>
        <source>Reading the list of articles…</source>
        <translation>جارٍ قراءة قائمة المقالات…</translation>
    </message>
    <message>
        <source>Importing articles: %v of %m</source>
        <translation>جارٍ استيراد المقالات: %v من %m</translation>
    </message>
    <message>
        <source>Saving into the encrypted library…</source>
        <translation>جارٍ الحفظ في المكتبة المشفّرة…</translation>
    </message>
    <message>
        <source>Setting up…</source>
        <translation>جارٍ الإعداد…</translation>
    </message>
</context>
<context>
    <name>ItemList</name>
    <message>
        <source>Article</source>
        <translation>مقالة</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>إرشادات</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>جهة اتصال</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>العناصر</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>That passphrase is not correct. Try again.</source>
        <translation>عبارة المرور هذه غير صحيحة. حاول مرة أخرى.</translation>
    </message>
    <message>
        <source>Files left beside the program</source>
        <translation>ملفات بقيت بجانب البرنامج</translation>
    </message>
    <message>
        <source>The prepared library&apos;s files could not be removed from the folder that holds fieldreader: %1</source>
        <translation>تعذّر حذف ملفات المكتبة المُعدّة من المجلد الذي يحتوي fieldreader: %1</translation>
    </message>
    <message>
        <source>They may still hold the prepared articles and your organisation&apos;s keys without encryption. Delete them, or keep this copy of fieldreader safe.</source>
        <translation>قد تظل هذه الملفات تحتوي على المقالات المُعدّة ومفاتيح منظمتك دون تشفير. احذفها، أو احفظ هذه النسخة من fieldreader في مكان آمن.</translation>
    </message>
    <message>
        <source>Sections</source>
        <translation>الأقسام</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>ال&amp;لغة</translation>
    </message>
    <message>
        <source>Language filter</source>
        <translation>تصفية حسب اللغة</translation>
    </message>
    <message>
        <source>C&amp;ountry</source>
        <translation>ال&amp;بلد</translation>
    </message>
    <message>
        <source>Country filter</source>
        <translation>تصفية حسب البلد</translation>
    </message>
    <message>
        <source>&amp;Topic</source>
        <translation>المو&amp;ضوع</translation>
    </message>
    <message>
        <source>Topic filter</source>
        <translation>تصفية حسب الموضوع</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>العنوان</translation>
    </message>
    <message>
        <source>Bookmark</source>
        <translation>إشارة مرجعية</translation>
    </message>
    <message>
        <source>Bookmark this item</source>
        <translation>ضع إشارة مرجعية على هذا العنصر</translation>
    </message>
    <message>
        <source>Also in:</source>
        <translation>بلغات أخرى:</translation>
    </message>
    <message>
        <source>Checklist progress</source>
        <translation>التقدّم في قائمة التحقق</translation>
    </message>
    <message>
        <source>Choose an item in the list to read it here.</source>
        <translation>اختر عنصرًا من القائمة لقراءته هنا.</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>شريط الأدوات الرئيسي</translation>
    </message>
    <message>
        <source>Search the library  (Ctrl+K)</source>
        <translation>ابحث في المكتبة  (Ctrl+K)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>بحث</translation>
    </message>
    <message>
        <source>&amp;Library</source>
        <translation>ال&amp;مكتبة</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;عرض</translation>
    </message>
    <message>
        <source>&amp;Item</source>
        <translation>الع&amp;نصر</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;بحث</translation>
    </message>
    <message>
        <source>&amp;Lock now</source>
        <translation>&amp;قفل الآن</translation>
    </message>
    <message>
        <source>S&amp;ync…</source>
        <translation>م&amp;زامنة…</translation>
    </message>
    <message>
        <source>Sync the library (Ctrl+Shift+S)</source>
        <translation>زامِن المكتبة (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>&amp;Bookmark</source>
        <translation>إشارة &amp;مرجعية</translation>
    </message>
    <message>
        <source>&amp;Larger text</source>
        <translation>نص أ&amp;كبر</translation>
    </message>
    <message>
        <source>&amp;Smaller text</source>
        <translation>نص أ&amp;صغر</translation>
    </message>
    <message>
        <source>&amp;Normal text size</source>
        <translation>حجم النص ال&amp;عادي</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;خروج</translation>
    </message>
    <message>
        <source>&amp;Appearance</source>
        <translation>ال&amp;مظهر</translation>
    </message>
    <message>
        <source>Follow the &amp;system</source>
        <translation>حسب إعدادات ال&amp;نظام</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;فاتح</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;داكن</translation>
    </message>
    <message>
        <source>Articles</source>
        <translation>المقالات</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>الإرشادات</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>جهات الاتصال</translation>
    </message>
    <message>
        <source>Bookmarks</source>
        <translation>الإشارات المرجعية</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>الملاحظات</translation>
    </message>
    <message>
        <source>All languages</source>
        <translation>كل اللغات</translation>
    </message>
    <message>
        <source>All countries</source>
        <translation>كل البلدان</translation>
    </message>
    <message>
        <source>All topics</source>
        <translation>كل المواضيع</translation>
    </message>
    <message>
        <source>No bookmarks yet. Press Ctrl+D while reading to keep an item here.</source>
        <translation>لا إشارات مرجعية بعد. اضغط Ctrl+D أثناء القراءة لتحتفظ بالعنصر هنا.</translation>
    </message>
    <message>
        <source>No notes yet.</source>
        <translation>لا ملاحظات بعد.</translation>
    </message>
    <message>
        <source>Nothing matches these filters.</source>
        <translation>لا شيء يطابق عوامل التصفية هذه.</translation>
    </message>
    <message>
        <source>Nothing here yet.</source>
        <translation>لا شيء هنا بعد.</translation>
    </message>
    <message numerus="yes">
        <source>First %n results; scroll down for more</source>
        <translation>
            <numerusform>لا نتائج بعد؛ مرّر إلى الأسفل للمزيد</numerusform>
            <numerusform>أول نتيجة؛ مرّر إلى الأسفل للمزيد</numerusform>
            <numerusform>أول نتيجتين؛ مرّر إلى الأسفل للمزيد</numerusform>
            <numerusform>أول %n نتائج؛ مرّر إلى الأسفل للمزيد</numerusform>
            <numerusform>أول %n نتيجة؛ مرّر إلى الأسفل للمزيد</numerusform>
            <numerusform>أول %n نتيجة؛ مرّر إلى الأسفل للمزيد</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>لا نتائج</numerusform>
            <numerusform>نتيجة واحدة</numerusform>
            <numerusform>نتيجتان</numerusform>
            <numerusform>%n نتائج</numerusform>
            <numerusform>%n نتيجة</numerusform>
            <numerusform>%n نتيجة</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing found.</source>
        <translation>لم يُعثر على شيء.</translation>
    </message>
    <message>
        <source>%1 of %2 steps done</source>
        <translation>الخطوات المنجزة: %1 من %2</translation>
    </message>
    <message>
        <source>Open in %1</source>
        <translation>افتح باللغة %1</translation>
    </message>
    <message>
        <source>Bookmarked.</source>
        <translation>أُضيفت الإشارة المرجعية.</translation>
    </message>
    <message>
        <source>Bookmark removed.</source>
        <translation>أُزيلت الإشارة المرجعية.</translation>
    </message>
    <message>
        <source>Open this address in your web browser?</source>
        <translation>هل تريد فتح هذا العنوان في متصفح الويب؟</translation>
    </message>
    <message>
        <source>%1

This leaves fieldreader: the site, your network and anyone watching it can see that you opened it.</source>
        <translation>%1

سيؤدي هذا إلى مغادرة fieldreader: يستطيع الموقع وشبكتك وكل من يراقبها أن يروا أنك فتحته.</translation>
    </message>
    <message>
        <source>%1 copied. It will be cleared from the clipboard in 30 seconds.</source>
        <translation>نُسخ %1. سيُمسح من الحافظة بعد 30 ثانية.</translation>
    </message>
    <message>
        <source>Something went wrong (%1).</source>
        <translation>حدث خطأ ما (%1).</translation>
    </message>
</context>
<context>
    <name>NoteEditor</name>
    <message>
        <source>Quoted passage</source>
        <translation>المقطع المقتبس</translation>
    </message>
    <message>
        <source>Note editor</source>
        <translation>محرر الملاحظة</translation>
    </message>
    <message>
        <source>Note text (Markdown)</source>
        <translation>نص الملاحظة (Markdown)</translation>
    </message>
    <message>
        <source>Write your note. Markdown works: *emphasis*, lists…</source>
        <translation>اكتب ملاحظتك. يمكنك استخدام Markdown: *تأكيد*، قوائم…</translation>
    </message>
    <message>
        <source>Note preview</source>
        <translation>معاينة الملاحظة</translation>
    </message>
    <message>
        <source>&amp;Write</source>
        <translation>ا&amp;كتب</translation>
    </message>
    <message>
        <source>P&amp;review</source>
        <translation>معا&amp;ينة</translation>
    </message>
    <message>
        <source>Note save status</source>
        <translation>حالة حفظ الملاحظة</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>جارٍ الحفظ…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>حُفظت.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>لم تُحفظ: %1</translation>
    </message>
    <message>
        <source>This note cannot be shown as a preview.</source>
        <translation>لا يمكن عرض معاينة لهذه الملاحظة.</translation>
    </message>
    <message>
        <source>Something went wrong (%1).</source>
        <translation>حدث خطأ ما (%1).</translation>
    </message>
</context>
<context>
    <name>NotesFeature</name>
    <message>
        <source>Add &amp;note</source>
        <translation>&amp;أضف ملاحظة</translation>
    </message>
    <message>
        <source>E&amp;xport notes…</source>
        <translation>تصدير ال&amp;ملاحظات…</translation>
    </message>
    <message>
        <source>The quoted passage is no longer in this item&apos;s text.</source>
        <translation>لم يعد المقطع المقتبس موجودًا في نص هذا العنصر.</translation>
    </message>
    <message>
        <source>Note not about any item</source>
        <translation>ملاحظة غير مرتبطة بأي عنصر</translation>
    </message>
    <message>
        <source>%1 (no longer in the library)</source>
        <translation>%1 (لم يعد في المكتبة)</translation>
    </message>
    <message>
        <source>(nothing written yet)</source>
        <translation>(لم يُكتب شيء بعد)</translation>
    </message>
    <message>
        <source>Note · %1</source>
        <translation>ملاحظة · %1</translation>
    </message>
    <message>
        <source>A note</source>
        <translation>ملاحظة</translation>
    </message>
</context>
<context>
    <name>NotesPanel</name>
    <message>
        <source>Notes</source>
        <translation>الملاحظات</translation>
    </message>
    <message>
        <source>Notes panel</source>
        <translation>لوحة الملاحظات</translation>
    </message>
    <message>
        <source>Add &amp;note</source>
        <translation>&amp;أضف ملاحظة</translation>
    </message>
    <message>
        <source>Add a note</source>
        <translation>أضف ملاحظة</translation>
    </message>
    <message>
        <source>Add a note (Ctrl+Shift+N)</source>
        <translation>أضف ملاحظة (Ctrl+Shift+N)</translation>
    </message>
    <message>
        <source>&amp;Delete note</source>
        <translation>ا&amp;حذف الملاحظة</translation>
    </message>
    <message>
        <source>Delete this note</source>
        <translation>احذف هذه الملاحظة</translation>
    </message>
    <message>
        <source>Notes on this item</source>
        <translation>ملاحظات على هذا العنصر</translation>
    </message>
    <message>
        <source>Delete note</source>
        <translation>حذف الملاحظة</translation>
    </message>
    <message>
        <source>Note deleted.</source>
        <translation>حُذفت الملاحظة.</translation>
    </message>
    <message>
        <source>Delete this note? This cannot be undone.</source>
        <translation>أتريد حذف هذه الملاحظة؟ لا يمكن التراجع عن ذلك.</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>ا&amp;حذف</translation>
    </message>
    <message>
        <source>Delete the note</source>
        <translation>احذف الملاحظة</translation>
    </message>
    <message>
        <source>(nothing written yet)</source>
        <translation>(لم يُكتب شيء بعد)</translation>
    </message>
    <message>
        <source>A note not about any item in the library</source>
        <translation>ملاحظة غير مرتبطة بأي عنصر في المكتبة</translation>
    </message>
    <message>
        <source>Notes on this item (%1)</source>
        <translation>ملاحظات على هذا العنصر (%1)</translation>
    </message>
</context>
<context>
    <name>PanicDialog</name>
    <message>
        <source>Erase everything</source>
        <translation>مسح كل شيء</translation>
    </message>
    <message>
        <source>Erase everything now?</source>
        <translation>هل تريد مسح كل شيء الآن؟</translation>
    </message>
    <message>
        <source>Every article, contact, note and bookmark in this library will be destroyed. Nobody can recover it afterwards, not even with your passphrase. Then fieldreader closes.</source>
        <translation>ستُتلف كل مقالة وجهة اتصال وملاحظة وإشارة مرجعية في هذه المكتبة. لن يستطيع أحد استعادتها بعد ذلك، ولا حتى بعبارة مرورك. ثم يُغلق fieldreader.</translation>
    </message>
    <message>
        <source>Time left before erasing</source>
        <translation>الوقت المتبقي قبل المسح</translation>
    </message>
    <message>
        <source>&amp;Erase now</source>
        <translation>&amp;امسح الآن</translation>
    </message>
    <message>
        <source>Erase now</source>
        <translation>امسح الآن</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <source>Cancel, erase nothing</source>
        <translation>إلغاء، لا تمسح شيئًا</translation>
    </message>
    <message numerus="yes">
        <source>Erasing in %n second(s).</source>
        <translation>
            <numerusform>المسح الآن.</numerusform>
            <numerusform>المسح بعد ثانية واحدة.</numerusform>
            <numerusform>المسح بعد ثانيتين.</numerusform>
            <numerusform>المسح بعد %n ثوانٍ.</numerusform>
            <numerusform>المسح بعد %n ثانية.</numerusform>
            <numerusform>المسح بعد %n ثانية.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Protection</name>
    <message>
        <source>Change &amp;passphrase…</source>
        <translation>&amp;تغيير عبارة المرور…</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>الإعدا&amp;دات…</translation>
    </message>
    <message>
        <source>&amp;Erase everything now…</source>
        <translation>امس&amp;ح كل شيء الآن…</translation>
    </message>
    <message>
        <source>Erasing did not finish.</source>
        <translation>لم يكتمل المسح.</translation>
    </message>
    <message>
        <source>%1

What is left is encrypted, and the key that opened it was destroyed first if it could be. Try again, or remove the library folder by other means.</source>
        <translation>%1

ما تبقّى مشفّر، وقد أُتلف المفتاح الذي كان يفتحه أولًا إن أمكن ذلك. حاول مرة أخرى، أو أزل مجلد المكتبة بوسيلة أخرى.</translation>
    </message>
    <message>
        <source>Passphrase changed. Use the new one from now on.</source>
        <translation>تم تغيير عبارة المرور. استخدم الجديدة من الآن فصاعدًا.</translation>
    </message>
    <message>
        <source>The passphrase was not changed.</source>
        <translation>لم تُغيَّر عبارة المرور.</translation>
    </message>
    <message>
        <source>That is not your current passphrase. Nothing was changed.</source>
        <translation>هذه ليست عبارة مرورك الحالية. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>حُفظت الإعدادات.</translation>
    </message>
    <message>
        <source>The settings were not all saved.</source>
        <translation>لم تُحفظ كل الإعدادات.</translation>
    </message>
    <message>
        <source>That is not your passphrase. Nothing was changed.</source>
        <translation>هذه ليست عبارة مرورك. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>Settings saved and the new duress passphrase added, but the previous one is not a duress passphrase of this library: if it was one, it still works.</source>
        <translation>حُفظت الإعدادات وأُضيفت عبارة مرور الإكراه الجديدة، لكن العبارة السابقة ليست عبارة إكراه لهذه المكتبة: إن كانت كذلك فما زالت تعمل.</translation>
    </message>
</context>
<context>
    <name>ReaderView</name>
    <message>
        <source>Article text</source>
        <translation>نص المقالة</translation>
    </message>
</context>
<context>
    <name>SecretDialog</name>
    <message>
        <source>Problem</source>
        <translation>مشكلة</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <source>Saving</source>
        <translation>جارٍ الحفظ</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;حفظ</translation>
    </message>
    <message>
        <source> min</source>
        <translation> دقيقة</translation>
    </message>
    <message>
        <source>Minutes without use before locking</source>
        <translation>دقائق عدم الاستخدام قبل القفل</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>المظهر</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>حسب إعدادات النظام</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>فاتح</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>داكن</translation>
    </message>
    <message>
        <source>Sync &amp;automatically when a connection appears</source>
        <translation>زامن &amp;تلقائيًا عند توفر اتصال</translation>
    </message>
    <message>
        <source>Sync automatically</source>
        <translation>المزامنة التلقائية</translation>
    </message>
    <message>
        <source>&amp;Lock after:</source>
        <translation>ال&amp;قفل بعد:</translation>
    </message>
    <message>
        <source>A&amp;ppearance:</source>
        <translation>المظ&amp;هر:</translation>
    </message>
    <message>
        <source>Failed unlocks</source>
        <translation>محاولات الفتح الفاشلة</translation>
    </message>
    <message>
        <source>&amp;Erase the library after</source>
        <translation>ا&amp;مسح المكتبة بعد</translation>
    </message>
    <message>
        <source>Erase the library after failed unlocks</source>
        <translation>امسح المكتبة بعد محاولات فتح فاشلة</translation>
    </message>
    <message>
        <source> failed unlocks</source>
        <translation> محاولات فتح فاشلة</translation>
    </message>
    <message>
        <source>Failed unlocks before erasing</source>
        <translation>عدد محاولات الفتح الفاشلة قبل المسح</translation>
    </message>
    <message>
        <source>Duress passphrase</source>
        <translation>عبارة مرور الإكراه</translation>
    </message>
    <message>
        <source>If you are forced to unlock, type a duress passphrase instead of yours: it silently erases the library and opens an empty one. To replace one, also type the previous duress passphrase; to remove one, type only the previous.</source>
        <translation>إذا أُجبرت على فتح المكتبة فاكتب عبارة مرور الإكراه بدلًا من عبارتك: فهي تمسح المكتبة بصمت وتفتح مكتبة فارغة. لاستبدال عبارة إكراه اكتب أيضًا العبارة السابقة؛ ولإزالتها اكتب السابقة وحدها.</translation>
    </message>
    <message>
        <source>New duress passphrase</source>
        <translation>عبارة إكراه جديدة</translation>
    </message>
    <message>
        <source>Previous duress passphrase</source>
        <translation>عبارة الإكراه السابقة</translation>
    </message>
    <message>
        <source>Your passphrase</source>
        <translation>عبارة مرورك</translation>
    </message>
    <message>
        <source>&amp;New duress passphrase:</source>
        <translation>عبارة إكراه &amp;جديدة:</translation>
    </message>
    <message>
        <source>P&amp;revious duress passphrase:</source>
        <translation>عبارة الإكراه ال&amp;سابقة:</translation>
    </message>
    <message>
        <source>&amp;Your passphrase:</source>
        <translation>&amp;عبارة مرورك:</translation>
    </message>
    <message>
        <source>Type your passphrase to change the duress passphrase.</source>
        <translation>اكتب عبارة مرورك لتغيير عبارة مرور الإكراه.</translation>
    </message>
    <message>
        <source>The duress passphrase needs at least %1 characters.</source>
        <translation>يجب أن تتكون عبارة مرور الإكراه من %1 أحرف على الأقل.</translation>
    </message>
    <message>
        <source>The duress passphrase must differ from your passphrase.</source>
        <translation>يجب أن تختلف عبارة مرور الإكراه عن عبارة مرورك.</translation>
    </message>
    <message>
        <source>The new duress passphrase is the same as the previous one.</source>
        <translation>عبارة الإكراه الجديدة هي نفسها السابقة.</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <source>Sync</source>
        <translation>المزامنة</translation>
    </message>
    <message>
        <source>Sync result</source>
        <translation>نتيجة المزامنة</translation>
    </message>
    <message>
        <source>Sync details</source>
        <translation>تفاصيل المزامنة</translation>
    </message>
    <message>
        <source>C&amp;hoose another profile…</source>
        <translation>اختر ملف تعريف آ&amp;خر…</translation>
    </message>
    <message>
        <source>Choose another sync profile</source>
        <translation>اختر ملف تعريف مزامنة آخر</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>إ&amp;غلاق</translation>
    </message>
    <message>
        <source>Close the sync panel</source>
        <translation>أغلق لوحة المزامنة</translation>
    </message>
    <message>
        <source>Sync is not set up on this computer.</source>
        <translation>المزامنة غير مُعدّة على هذا الحاسوب.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s trainer gives you a sync profile (a .toml file, often on a USB stick) that says where to sync from and which publisher keys to trust.</source>
        <translation>يعطيك مدرّب منظمتك ملف تعريف للمزامنة (ملف بامتداد toml، غالبًا على ذاكرة USB) يحدد مصدر المزامنة ومفاتيح الناشر الموثوق بها.</translation>
    </message>
    <message>
        <source>Choose &amp;profile…</source>
        <translation>اختر &amp;ملف التعريف…</translation>
    </message>
    <message>
        <source>Choose a sync profile</source>
        <translation>اختر ملف تعريف للمزامنة</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>المصدر:</translation>
    </message>
    <message>
        <source>Mirrors</source>
        <translation>المرايا</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>الاتصال:</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>الاتصال</translation>
    </message>
    <message>
        <source>Channels:</source>
        <translation>القنوات:</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>القنوات</translation>
    </message>
    <message>
        <source>Last sync:</source>
        <translation>آخر مزامنة:</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>آخر مزامنة</translation>
    </message>
    <message>
        <source>Sync progress</source>
        <translation>تقدّم المزامنة</translation>
    </message>
    <message>
        <source>Sync progress details</source>
        <translation>تفاصيل تقدّم المزامنة</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>&amp;زامِن الآن</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>زامِن الآن</translation>
    </message>
    <message>
        <source>C&amp;ancel sync</source>
        <translation>أ&amp;لغِ المزامنة</translation>
    </message>
    <message>
        <source>Cancel the sync</source>
        <translation>ألغِ المزامنة</translation>
    </message>
    <message>
        <source>Sync &amp;automatically when a connection appears</source>
        <translation>زامِن &amp;تلقائيًا عند توفّر اتصال</translation>
    </message>
    <message>
        <source>Sync automatically when a connection appears</source>
        <translation>زامِن تلقائيًا عند توفّر اتصال</translation>
    </message>
    <message>
        <source>About automatic sync</source>
        <translation>عن المزامنة التلقائية</translation>
    </message>
    <message>
        <source>The sync profile chosen earlier cannot be used: %1</source>
        <translation>لا يمكن استخدام ملف تعريف المزامنة المختار سابقًا: %1</translation>
    </message>
    <message>
        <source>Through Tor</source>
        <translation>عبر Tor</translation>
    </message>
    <message>
        <source>Through the Tor Browser&apos;s Tor</source>
        <translation>عبر Tor الخاص بمتصفح Tor</translation>
    </message>
    <message>
        <source>Through the proxy %1</source>
        <translation>عبر الوكيل %1</translation>
    </message>
    <message>
        <source>Direct (HTTPS)</source>
        <translation>مباشر (HTTPS)</translation>
    </message>
    <message>
        <source>All public channels, and restricted: %1</source>
        <translation>كل القنوات العامة، والمقيّدة: %1</translation>
    </message>
    <message>
        <source>All public channels</source>
        <translation>كل القنوات العامة</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>لم تجرِ بعد</translation>
    </message>
    <message>
        <source>Just now</source>
        <translation>قبل لحظات</translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) ago</source>
        <translation>
            <numerusform>منذ %n دقيقة</numerusform>
            <numerusform>منذ دقيقة</numerusform>
            <numerusform>منذ دقيقتين</numerusform>
            <numerusform>منذ %n دقائق</numerusform>
            <numerusform>منذ %n دقيقة</numerusform>
            <numerusform>منذ %n دقيقة</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) ago</source>
        <translation>
            <numerusform>منذ %n ساعة</numerusform>
            <numerusform>منذ ساعة</numerusform>
            <numerusform>منذ ساعتين</numerusform>
            <numerusform>منذ %n ساعات</numerusform>
            <numerusform>منذ %n ساعة</numerusform>
            <numerusform>منذ %n ساعة</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>منذ %n يوم</numerusform>
            <numerusform>منذ يوم</numerusform>
            <numerusform>منذ يومين</numerusform>
            <numerusform>منذ %n أيام</numerusform>
            <numerusform>منذ %n يومًا</numerusform>
            <numerusform>منذ %n يوم</numerusform>
        </translation>
    </message>
    <message>
        <source>This computer does not tell fieldreader when a connection appears, so automatic sync cannot start here. Sync now when you are connected.</source>
        <translation>لا يُعلِم هذا الحاسوبُ برنامجَ fieldreader بتوفّر الاتصال، لذا لا يمكن أن تبدأ المزامنة التلقائية هنا. زامِن بنفسك حين تكون متصلًا.</translation>
    </message>
    <message>
        <source>fieldreader watches this computer&apos;s own network settings and sends nothing until a connection appears.</source>
        <translation>يراقب البرنامج إعدادات الشبكة في هذا الحاسوب نفسه، ولا يرسل شيئًا قبل أن يتوفّر اتصال.</translation>
    </message>
    <message>
        <source>Choose your sync profile</source>
        <translation>اختر ملف تعريف المزامنة الخاص بك</translation>
    </message>
    <message>
        <source>Sync profiles (*.toml)</source>
        <translation>ملفات تعريف المزامنة (*.toml)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>كل الملفات (*)</translation>
    </message>
    <message>
        <source>Checking for news…</source>
        <translation>جارٍ البحث عن الجديد…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>جارٍ الإلغاء…</translation>
    </message>
    <message>
        <source>%v of %m items</source>
        <translation>العناصر: %v من %m</translation>
    </message>
    <message>
        <source>Downloading items: %1 of %2 (%3)</source>
        <translation>جارٍ تنزيل العناصر: %1 من %2 (%3)</translation>
    </message>
    <message>
        <source>Reading what is new (%1)</source>
        <translation>جارٍ قراءة الجديد (%1)</translation>
    </message>
    <message>
        <source>Saving to your library…</source>
        <translation>جارٍ الحفظ في مكتبتك…</translation>
    </message>
    <message>
        <source>Already up to date: nothing new.</source>
        <translation>المكتبة محدّثة: لا جديد.</translation>
    </message>
    <message numerus="yes">
        <source>%n added</source>
        <translation>
            <numerusform>لم يُضف شيء</numerusform>
            <numerusform>أُضيف عنصر واحد</numerusform>
            <numerusform>أُضيف عنصران</numerusform>
            <numerusform>أُضيفت %n عناصر</numerusform>
            <numerusform>أُضيف %n عنصرًا</numerusform>
            <numerusform>أُضيف %n عنصر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n updated</source>
        <translation>
            <numerusform>لم يُحدَّث شيء</numerusform>
            <numerusform>حُدِّث عنصر واحد</numerusform>
            <numerusform>حُدِّث عنصران</numerusform>
            <numerusform>حُدِّثت %n عناصر</numerusform>
            <numerusform>حُدِّث %n عنصرًا</numerusform>
            <numerusform>حُدِّث %n عنصر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n removed</source>
        <translation>
            <numerusform>لم يُزل شيء</numerusform>
            <numerusform>أُزيل عنصر واحد</numerusform>
            <numerusform>أُزيل عنصران</numerusform>
            <numerusform>أُزيلت %n عناصر</numerusform>
            <numerusform>أُزيل %n عنصرًا</numerusform>
            <numerusform>أُزيل %n عنصر</numerusform>
        </translation>
    </message>
    <message>
        <source>Sync complete: %1.</source>
        <translation>اكتملت المزامنة: %1.</translation>
    </message>
    <message>
        <source>Sync complete: no item changed.</source>
        <translation>اكتملت المزامنة: لم يتغير أي عنصر.</translation>
    </message>
    <message>
        <source>%1 downloaded from %2.</source>
        <translation>نُزِّل %1 من المرآة %2.</translation>
    </message>
    <message>
        <source>Mirrors that could not be used first:</source>
        <translation>مرايا تعذّر استخدامها أولًا:</translation>
    </message>
    <message>
        <source>Sync cancelled. Your library was not changed; what already arrived is kept, so the next sync continues from there.</source>
        <translation>أُلغيت المزامنة. لم تتغير مكتبتك؛ ويُحتفظ بما وصل بالفعل، فتُكمل المزامنة التالية من حيث توقفت.</translation>
    </message>
    <message>
        <source>The connection is being intercepted: the server&apos;s certificate is not the expected one. Nothing was changed.</source>
        <translation>الاتصال مُعترَض: شهادة الخادم ليست الشهادة المتوقعة. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>Tor is not running, and this profile syncs only through Tor: nothing was sent. Start Tor (or the Tor Browser) and sync again.</source>
        <translation>برنامج Tor لا يعمل، وملف التعريف هذا لا يزامن إلا عبره: لم يُرسَل شيء. شغّل Tor (أو متصفح Tor) ثم زامِن من جديد.</translation>
    </message>
    <message>
        <source>The proxy this profile uses is not reachable: nothing was sent without it. Nothing was changed.</source>
        <translation>تعذّر الوصول إلى الوكيل الذي يستخدمه ملف التعريف هذا: لم يُرسَل شيء من دونه. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>No secure connection could be set up with the mirror; the network may be interfering. Nothing was changed.</source>
        <translation>تعذّر إنشاء اتصال آمن بالمرآة؛ قد تكون الشبكة تتدخل فيه. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>No mirror could be reached. Check your connection and try again later; nothing was changed.</source>
        <translation>تعذّر الوصول إلى أي مرآة. تحقق من اتصالك وحاول لاحقًا؛ لم يتغير شيء.</translation>
    </message>
    <message>
        <source>A mirror offered older content than you have (it may be out of date, or someone may be holding back updates). It was refused; nothing was changed.</source>
        <translation>عرضت إحدى المرايا محتوى أقدم مما لديك (قد تكون غير محدّثة، أو قد يكون أحدهم يحجب التحديثات). رُفض المحتوى؛ لم يتغير شيء.</translation>
    </message>
    <message>
        <source>The content offered does not match its publisher&apos;s signatures, so it was refused. Nothing was changed.</source>
        <translation>المحتوى المعروض لا يطابق تواقيع ناشره، لذا رُفض. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>The mirror does not hold the feed at the address in your profile. Nothing was changed.</source>
        <translation>لا تحتوي المرآة على الموجز في العنوان المذكور في ملف التعريف. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>The mirror serves a different feed from the one this library follows. Nothing was changed.</source>
        <translation>تقدّم المرآة موجزًا غير الذي تتبعه هذه المكتبة. لم يتغير شيء.</translation>
    </message>
    <message>
        <source>The feed uses a format this version of fieldreader does not know. Nothing was changed; ask your trainer for a newer version.</source>
        <translation>يستخدم الموجز صيغة لا يعرفها هذا الإصدار من fieldreader. لم يتغير شيء؛ اطلب من مدرّبك إصدارًا أحدث.</translation>
    </message>
    <message>
        <source>Your profile does not say which publisher keys to trust for this feed. Nothing was changed; ask your trainer for a complete profile.</source>
        <translation>لا يحدد ملف التعريف مفاتيح الناشر الموثوق بها لهذا الموجز. لم يتغير شيء؛ اطلب من مدرّبك ملف تعريف كاملًا.</translation>
    </message>
    <message>
        <source>A channel key in your profile does not open the restricted content it is for. Nothing was changed; ask your trainer for the right key.</source>
        <translation>أحد مفاتيح القنوات في ملف التعريف لا يفتح المحتوى المقيّد المخصص له. لم يتغير شيء؛ اطلب من مدرّبك المفتاح الصحيح.</translation>
    </message>
    <message>
        <source>The sync profile cannot be used: %1</source>
        <translation>لا يمكن استخدام ملف تعريف المزامنة: %1</translation>
    </message>
    <message>
        <source>The disk is full, so the update could not be saved. Nothing was changed; free some space and sync again.</source>
        <translation>القرص ممتلئ، لذا تعذّر حفظ التحديث. لم يتغير شيء؛ أفرغ بعض المساحة ثم زامِن من جديد.</translation>
    </message>
    <message>
        <source>The library could not take the update: %1 Nothing was changed.</source>
        <translation>تعذّر على المكتبة استيعاب التحديث: %1 لم يتغير شيء.</translation>
    </message>
    <message>
        <source>The sync stopped because of an unexpected error (%1). Nothing was changed.</source>
        <translation>توقفت المزامنة بسبب خطأ غير متوقع (%1). لم يتغير شيء.</translation>
    </message>
</context>
<context>
    <name>UnlockPanel</name>
    <message>
        <source>Unlock your library</source>
        <translation>افتح مكتبتك</translation>
    </message>
    <message>
        <source>Enter your passphrase.</source>
        <translation>أدخل عبارة المرور.</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>عبارة المرور</translation>
    </message>
    <message>
        <source>Unlock message</source>
        <translation>رسالة فتح القفل</translation>
    </message>
    <message>
        <source>Unlocking</source>
        <translation>جارٍ فتح القفل</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;فتح</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>فتح</translation>
    </message>
    <message>
        <source>Type your passphrase first.</source>
        <translation>اكتب عبارة المرور أولًا.</translation>
    </message>
    <message>
        <source>&amp;Erase everything…</source>
        <translation>امس&amp;ح كل شيء…</translation>
    </message>
    <message>
        <source>Erase everything</source>
        <translation>مسح كل شيء</translation>
    </message>
</context>
</TS>
