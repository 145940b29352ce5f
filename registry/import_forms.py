"""The upload form of the import page: a kind and a spreadsheet, checked for type and size."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .imports import config
from .imports.problems import ImportRefusedError
from .imports.reading import check_upload
from .models import ImportBatch


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The file lists"), choices=ImportBatch.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].help_text = _(
            "An .xlsx, .xls or .csv file of at most %(limit)s MB whose first sheet has a header row."
        ) % {"limit": config.max_upload_bytes() // (1024 * 1024)}

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        head = upload.read(8192)
        upload.seek(0)
        try:
            check_upload(upload.name or "", upload.size or 0, head)
        except ImportRefusedError as problem:
            raise ValidationError(str(problem), code=problem.code) from problem
        return upload
