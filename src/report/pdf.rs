//! The PDF report, typeset in process by typst.
//!
//! The typst source is the template (`report-templates/report.typ`, or the consultancy's own
//! from `--templates`) after one line that binds `data` to the report's view model as JSON.
//! Everything a host or an evidence file sent reaches typst only as a string inside that JSON,
//! never as markup: typst shows strings as they are, so `#`, `[`, `$` or `<script>` in a
//! banner stay text. The fonts are compiled into the binary; nothing is read from the system.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::error::RunError;

/// The fonts of the report, embedded: DejaVu Sans for text (every Latin script, Greek,
/// Cyrillic), DejaVu Sans Mono for evidence, Droid Sans Fallback for names in Chinese,
/// Japanese and Korean.
const FONT_FILES: [&[u8]; 5] = [
    include_bytes!("../../report-templates/fonts/DejaVuSans.ttf"),
    include_bytes!("../../report-templates/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../report-templates/fonts/DejaVuSans-Oblique.ttf"),
    include_bytes!("../../report-templates/fonts/DejaVuSansMono.ttf"),
    include_bytes!("../../report-templates/fonts/DroidSansFallbackFull.ttf"),
];

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// Whether some embedded font has a glyph for `c`.
pub(crate) fn covered(c: char) -> bool {
    FONTS
        .fonts
        .iter()
        .any(|f| f.info().coverage.contains(u32::from(c)))
}

/// The world typst compiles in: one source, the template folder's files (a logo), the
/// embedded fonts, and no clock (the report's own date is in the data).
struct ReportWorld {
    library: LazyHash<Library>,
    main: Source,
    files: Vec<(String, Bytes)>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.vpath().get_without_slash();
        self.files
            .iter()
            .find(|(name, _)| name == path)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::NotFound(path.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

fn render_error(message: String) -> RunError {
    RunError::Render {
        format: "pdf".into(),
        message,
    }
}

fn diagnostics(world: &ReportWorld, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .take(5)
        .map(|d| {
            let line = world
                .main
                .lines()
                .byte_to_line(
                    world
                        .range(d.span)
                        .map_or(0, |r| r.start)
                        .min(world.main.text().len()),
                )
                // The template starts on the second line, after the line that binds `data`.
                .map_or(String::new(), |l| format!("report.typ line {l}: "));
            let hints: String = d
                .hints
                .iter()
                .map(|h| format!(" (hint: {})", h.v))
                .collect();
            format!("{line}{}{hints}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Typesets `source` into an A4 PDF/A-2b document dated `as_of`. `files` are the template
/// folder's files the template may load (`logo.svg`).
pub(crate) fn render(
    source_text: String,
    files: Vec<(String, Vec<u8>)>,
    as_of: jiff::Timestamp,
) -> Result<Vec<u8>, RunError> {
    let world = ReportWorld {
        library: LazyHash::new(Library::builder().build()),
        main: Source::new(
            FileId::new(RootedPath::new(
                VirtualRoot::Project,
                VirtualPath::new("postura-report.typ")
                    .map_err(|e| render_error(format!("{e:?}")))?,
            )),
            source_text,
        ),
        files: files
            .into_iter()
            .map(|(name, bytes)| (name, Bytes::new(bytes)))
            .collect(),
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| render_error(diagnostics(&world, &errors)))?;
    let utc = as_of.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let datetime = Datetime::from_ymd_hms(
        i32::from(utc.year()),
        u8::try_from(utc.month()).unwrap_or(1),
        u8::try_from(utc.day()).unwrap_or(1),
        u8::try_from(utc.hour()).unwrap_or(0),
        u8::try_from(utc.minute()).unwrap_or(0),
        u8::try_from(utc.second()).unwrap_or(0),
    );
    let options = PdfOptions {
        timestamp: datetime.map(Timestamp::new_utc),
        standards: PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| render_error(format!("{e:?}")))?,
        creator: typst::foundations::Smart::Custom(Some(format!(
            "postura {}",
            env!("CARGO_PKG_VERSION")
        ))),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| render_error(diagnostics(&world, &errors)))
}
