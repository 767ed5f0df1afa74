"""The support request form. Validation rules live in support.services; the form only calls them."""

from django import forms

from .services import MAX_SCREENSHOTS, activity_for_support_request, screenshot_problems


class MultipleScreenshotInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    widget = MultipleScreenshotInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(ScreenshotsField, self).clean(f, initial) for f in files]


class SupportRequestForm(forms.Form):
    description = forms.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text="A brief description of the issue, with any error message.",
    )
    steps_to_reproduce = forms.CharField(
        label="Steps to reproduce",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
    )
    workspace = forms.CharField(label="Account or workspace", required=False, max_length=255)
    activity_id = forms.CharField(
        label="Activity ID",
        required=False,
        max_length=40,
        help_text="If the issue is about one email, meeting or call: its ID from the Engagement Log.",
    )
    screenshots = ScreenshotsField(
        required=False,
        help_text=f"Up to {MAX_SCREENSHOTS} PNG, JPEG, GIF or WebP images, 5 MB each.",
        widget=MultipleScreenshotInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.activity = None

    def clean_activity_id(self):
        value = self.cleaned_data["activity_id"]
        self.activity = activity_for_support_request(user=self.user, value=value)
        return value

    def clean_screenshots(self):
        files = self.cleaned_data.get("screenshots") or []
        problems = screenshot_problems(files=files)
        if problems:
            raise forms.ValidationError(problems)
        return files
