"""Staff upload: "Contact imports" → "Add" takes a file and shows its report."""

import csv
import io

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from askfirst.intake.forms import UploadForm
from askfirst.intake.models import ImportRun
from askfirst.intake.report import RejectsKept, rejects_cut_note, rejects_delimiter
from askfirst.intake.retention import rejects_expire
from askfirst.intake.services import ImportFileError, import_file, kind_from_name, source_open

# Importing creates and changes contacts, so it takes those permissions too.
IMPORT_PERMISSIONS = ("intake.add_importrun", "contacts.add_contact", "contacts.change_contact")


def upload_import(*, upload, user) -> ImportRun:
    """Import an uploaded file; raise ImportFileError when nothing could be imported.

    Only the first rejected rows are stored (RejectsKept): the report says how many
    more there were.
    """
    kind = kind_from_name(upload.name or "") or "csv"
    opened = (
        open(upload.temporary_file_path(), "rb")  # noqa: SIM115 (closed below)
        if hasattr(upload, "temporary_file_path")
        else upload.file
    )
    try:
        opened.seek(0)
        source = source_open(binary=opened, kind=kind)
        kept = RejectsKept(header=source.header, delimiter=getattr(source, "delimiter", ","))
        try:
            report = import_file(source=source, rejects=kept)
        finally:
            source.close()
    finally:
        if opened is not upload.file:
            opened.close()
    if kept.cut:
        report.rejects_cut = kept.cut
        report.notes.insert(0, rejects_cut_note(kept.cut))
    return ImportRun.objects.create(
        created_by=user,
        file_name=upload.name[:255],
        kind=kind,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        deactivated=report.deactivated,
        rejected=report.rejected,
        report="\n".join(report.lines()),
        rejects=kept.text,
        rejects_cut=kept.cut,
    )


def importrun_rejects_file(*, run: ImportRun) -> str:
    """The stored rejected rows as a download; a last row says if rows were cut."""
    if not run.rejects:
        return ""
    note = ""
    if run.rejects_cut:
        # Said in the file too: a downloaded file travels without its report page.
        out = io.StringIO()
        csv.writer(out, delimiter=rejects_delimiter(run.rejects)).writerow(
            ["…", rejects_cut_note(run.rejects_cut)]
        )
        note = out.getvalue()
    return "\ufeff" + run.rejects + note


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "file_name",
        "created_by",
        "created",
        "updated",
        "unchanged",
        "deactivated",
        "rejected",
    )
    list_filter = ("kind",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/rejects/",
                self.admin_site.admin_view(self.rejects_view),
                name="intake_importrun_rejects",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        rejects_expire()
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if request.method == "POST" and form.is_valid():
            try:
                run = upload_import(upload=form.cleaned_data["file"], user=request.user)
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, run.report.splitlines()[0])
                return HttpResponseRedirect(reverse("admin:intake_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import contacts"),
            "form": form,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/intake/importrun/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(ImportRun, pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import report"),
            "run": run,
            "lines": run.report.splitlines(),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/intake/importrun/report.html", context)

    def rejects_view(self, request, pk: int):
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        response = HttpResponse(
            importrun_rejects_file(run=run), content_type="text/csv; charset=utf-8"
        )
        stem = run.file_name.rsplit(".", 1)[0] or "import"
        response["Content-Disposition"] = f'attachment; filename="{stem}.rejects.csv"'
        return response
