from django import forms

from audit_app.fields import RecordChoiceField
from audit_app.models import StaffMember, Team


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the staff export",
        help_text="A CSV or Excel (.xlsx) file from the HR system. The first row names the "
        "columns: staff number (or collar number), name, rank, email, team, line manager's "
        "number. Where a team's name is used in several areas, add an area column.",
        error_messages={"required": "Choose a CSV or Excel file to upload"},
    )


class StaffSearchForm(forms.Form):
    q = forms.CharField(label="Staff number or name", required=False, max_length=120)


class StaffMemberForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=120,
        error_messages={
            "required": "Enter the person's name",
            "max_length": "The name must be 120 characters or fewer",
        },
    )
    rank = forms.CharField(
        label="Rank or grade",
        required=False,
        max_length=60,
        error_messages={"max_length": "The rank must be 60 characters or fewer"},
    )
    email = forms.EmailField(
        label="Work email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.police.uk",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    team = RecordChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="No team",
        error_messages={"invalid_choice": "Choose one of the force's teams"},
    )
    line_manager = forms.CharField(
        label="Line manager's staff number",
        required=False,
        max_length=20,
        help_text="Leave empty for none.",
        error_messages={"max_length": "A staff number is 20 characters or fewer"},
    )
    is_active = forms.BooleanField(
        label="Still with the force", required=False, help_text="Untick when the person has left."
    )

    def __init__(self, *args, staff_member: StaffMember, **kwargs) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "name": staff_member.name,
                "rank": staff_member.rank,
                "email": staff_member.email,
                "team": staff_member.team_id,
                "line_manager": staff_member.line_manager.identifier
                if staff_member.line_manager
                else "",
                "is_active": staff_member.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            area__force_id=staff_member.force_id
        ).select_related("area")
        self.fields["team"].label_from_instance = lambda team: f"{team.name} ({team.area.name})"
